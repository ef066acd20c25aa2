#include "i18n_screens.h"

namespace boxwarden::web {

// One line per text: key, English, German.
namespace {

constexpr TextRow kScreenTexts[] = {
    {"client_setup", "Client set-up", "Einrichtung im Mail-Programm"},
    {"setup_note", "Server settings and user name for the mail program; never the password.",
     "Server-Einstellungen und Benutzername für das Mail-Programm; nie das Passwort."},
    {"setup_mozilla", "Thunderbird (Mozilla autoconfig)", "Thunderbird (Mozilla-Autoconfig)"},
    {"setup_autodiscover", "Outlook (Autodiscover)", "Outlook (Autodiscover)"},
    {"setup_apple", "Apple Mail, iPhone, iPad (configuration profile)",
     "Apple Mail, iPhone, iPad (Konfigurationsprofil)"},
    {"domains", "Domains", "Domains"},
    {"add_domain", "Add domain", "Domain hinzufügen"},
    {"created", "Created", "Angelegt"},
    {"user_login", "Login", "Login"},
    {"display_name", "Display name", "Anzeigename"},
    {"activity_access", "may see activity", "darf Aktivität sehen"},
    {"current_mailboxes", "Mailboxes", "Postfächer"},
};

}  // namespace

std::span<const TextRow> screen_texts() {
    return kScreenTexts;
}

}  // namespace boxwarden::web
