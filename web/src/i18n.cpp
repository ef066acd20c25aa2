#include "i18n.h"

#include <cctype>

#include "i18n_screens.h"
#include "i18n_totp.h"

namespace boxwarden::web {

namespace {

struct Entry {
    const char* key;
    const char* en;
    const char* de;
};

// One line per text: key, English, German.
constexpr Entry kTexts[] = {
    {"app", "boxwarden admin", "boxwarden Verwaltung"},
    {"login", "Log in", "Anmelden"},
    {"logout", "Log out", "Abmelden"},
    {"admin_login", "Admin login", "Admin-Login"},
    {"password", "Password", "Passwort"},
    {"login_failed", "Login failed: wrong login or password.",
     "Anmeldung fehlgeschlagen: Login oder Passwort falsch."},
    {"login_throttled", "Too many failed logins. Try again later.",
     "Zu viele fehlgeschlagene Anmeldungen. Bitte später erneut versuchen."},
    {"email_tab", "Email", "E-Mail"},
    {"settings", "Settings", "Einstellungen"},
    {"activity", "Activity", "Aktivität"},
    {"audit", "Audit log", "Protokoll"},
    {"mailboxes", "Mailboxes", "Postfächer"},
    {"create", "Create", "Anlegen"},
    {"create_mailbox", "Create mailbox", "Postfach anlegen"},
    {"search", "Search", "Suchen"},
    {"all_domains", "All domains", "Alle Domains"},
    {"only_inactive", "only inactive", "nur inaktive"},
    {"only_vip", "only VIP", "nur VIP"},
    {"filter", "Filter", "Filtern"},
    {"address", "Address", "Adresse"},
    {"active", "Active", "Aktiv"},
    {"vip", "VIP", "VIP"},
    {"ooo", "Out of office", "Abwesenheit"},
    {"email_name", "Email name", "E-Mail-Name"},
    {"users", "Users", "Benutzer"},
    {"yes", "yes", "ja"},
    {"no", "no", "nein"},
    {"next_page", "Next page", "Nächste Seite"},
    {"first_page", "First page", "Erste Seite"},
    {"no_mailboxes", "No mailboxes match.", "Keine passenden Postfächer."},
    {"activate", "Activate", "Aktivieren"},
    {"deactivate", "Deactivate", "Deaktivieren"},
    {"selected", "Selected mailboxes:", "Ausgewählte Postfächer:"},
    {"domain", "Domain", "Domain"},
    {"local_part", "Local part", "Lokaler Teil"},
    {"no_domain_hint", "No domain exists yet: contact your sales representative.",
     "Es gibt noch keine Domain: Bitte wenden Sie sich an Ihren Vertriebsansprechpartner."},
    {"mailbox_active", "Mailbox active", "Postfach aktiv"},
    {"cutoff_note",
     "When unticked, incoming mail is refused within seconds, at the latest after 30 minutes (plus "
     "the delivery grace). Sending still works.",
     "Ohne Haken wird eingehende Post innerhalb von Sekunden abgewiesen, spätestens nach 30 "
     "Minuten (plus Zustell-Nachfrist). Senden funktioniert weiter."},
    {"email_name_note", "The email name overrides the sending user's own name.",
     "Der E-Mail-Name ersetzt den eigenen Namen des sendenden Benutzers."},
    {"save", "Save", "Speichern"},
    {"clear", "Clear", "Entfernen"},
    {"subject", "Subject", "Betreff"},
    {"body", "Text", "Text"},
    {"start", "Start (UTC)", "Beginn (UTC)"},
    {"end", "End (UTC)", "Ende (UTC)"},
    {"interval_days", "Reply interval (days)", "Antwort-Intervall (Tage)"},
    {"enabled", "enabled", "eingeschaltet"},
    {"assigned_users", "Assigned users", "Zugeordnete Benutzer"},
    {"assign", "Assign", "Zuordnen"},
    {"remove", "Remove", "Entfernen"},
    {"history", "Assignment history", "Verlauf der Zuordnungen"},
    {"assigned_at", "Assigned", "Zugeordnet"},
    {"unassigned_at", "Unassigned", "Entfernt"},
    {"show_password", "Show password", "Passwort anzeigen"},
    {"reenter_password", "Your own admin password", "Ihr eigenes Admin-Passwort"},
    {"generate_password", "Generate new password", "Neues Passwort erzeugen"},
    {"generate_note", "The new password is shown once; the old one stops working at once.",
     "Das neue Passwort wird einmal angezeigt; das alte gilt ab sofort nicht mehr."},
    {"send_access_data", "Send access data", "Zugangsdaten senden"},
    {"recipient", "Recipient", "Empfänger"},
    {"language", "Language", "Sprache"},
    {"include_password", "include the password", "Passwort mitsenden"},
    {"send", "Send", "Senden"},
    {"client_settings", "Mail client settings", "Einstellungen für E-Mail-Programme"},
    {"user_name", "User name", "Benutzername"},
    {"the_password", "Password of", "Passwort von"},
    {"copy", "Copy", "Kopieren"},
    {"back", "Back", "Zurück"},
    {"wrong_admin_password", "Your admin password is wrong.", "Ihr Admin-Passwort ist falsch."},
    {"vip_cc_bcc", "No VIP protection for CC / BCC recipients",
     "Kein VIP-Schutz für CC-/BCC-Empfänger"},
    {"delivery_grace", "Delivery grace after deactivation (seconds, 0-1800)",
     "Zustell-Nachfrist nach Deaktivierung (Sekunden, 0-1800)"},
    {"other", "Other", "Sonstiges"},
    {"view_as", "Show what this user may see", "Anzeigen, was dieser Benutzer sehen darf"},
    {"show", "Show", "Anzeigen"},
    {"time", "Time", "Zeit"},
    {"direction", "Direction", "Richtung"},
    {"sender", "Sender", "Absender"},
    {"recipients", "Recipients", "Empfänger"},
    {"agent_log", "Agent log", "Bearbeitungsprotokoll"},
    {"action", "Action", "Aktion"},
    {"admin", "Admin", "Admin"},
    {"from_address", "From", "Von"},
    {"object", "Object", "Objekt"},
    {"detail", "Detail", "Detail"},
    {"done", "Done.", "Erledigt."},
    {"forbidden", "Not allowed for your account.", "Für Ihr Konto nicht erlaubt."},
    {"not_found", "Not found.", "Nicht gefunden."},
    {"bad_request",
     "The form was not accepted (expired or tampered with). Reload the page and try again.",
     "Das Formular wurde nicht angenommen (abgelaufen oder verändert). Bitte Seite neu laden."},
    {"warning", "Warning", "Warnung"},
    {"deactivated_since", "deactivated since", "deaktiviert seit"},
    {"delivery", "Delivery", "Zustellung"},
    {"in_effect", "in effect now", "jetzt wirksam"},
    {"cannot_show", "No stored password to show.", "Kein gespeichertes Passwort vorhanden."},
};

}  // namespace

std::string choose_language(std::string_view cookie, std::string_view accept_language) {
    if (cookie == "de" || cookie == "en") return std::string(cookie);
    // The first language range that is de or en wins (q-values are not
    // weighed: browsers list the preferred one first).
    size_t start = 0;
    while (start < accept_language.size()) {
        size_t end = accept_language.find(',', start);
        if (end == std::string_view::npos) end = accept_language.size();
        std::string_view item = accept_language.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        std::string tag;
        for (char c : item.substr(0, 2))
            tag += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (tag == "de" || tag == "en") return tag;
        start = end + 1;
    }
    return "en";
}

const std::vector<std::pair<std::string, std::string>>& texts(const std::string& language) {
    static const auto build = [](bool de) {
        std::vector<std::pair<std::string, std::string>> v;
        for (const auto& e : kTexts) v.emplace_back(e.key, de ? e.de : e.en);
        for (auto table : {screen_texts(), second_factor_texts()})
            for (const auto& e : table) v.emplace_back(e.key, de ? e.de : e.en);
        return v;
    };
    static const auto en = build(false);
    static const auto de = build(true);
    return language == "de" ? de : en;
}

std::string text(const std::string& language, const std::string& key) {
    for (const auto& [k, v] : texts(language))
        if (k == key) return v;
    return key;
}

}  // namespace boxwarden::web
