#include "boxwarden/access_data.h"

#include <initializer_list>
#include <string>
#include <string_view>

#include "boxwarden/mail_header.h"

namespace boxwarden {

namespace {

using Reason = AccessDataError::Reason;

struct Texts {
    std::string_view subject;  // followed by the mailbox address
    std::string_view greeting;
    std::string_view intro_before;  // intro_before + address + intro_after
    std::string_view intro_after;
    std::string_view email_address;
    std::string_view name;
    std::string_view user_name;
    std::string_view password;
    std::string_view no_password;
    std::string_view imap;
    std::string_view pop3;
    std::string_view smtp;
    std::string_view server;
    std::string_view port;
    std::string_view security;
    std::string_view authentication;
    std::string_view normal_password;
    std::string_view none;
    std::string_view smtp_note;
    std::string_view footer;
};

// Labels are padded to one width so the values line up in a monospace view.
constexpr Texts kEnglish = {
    "Access data for your mailbox ",
    "Hello,",
    "here are the settings to set up the mailbox ",
    " in a mail\nprogram (Outlook, Thunderbird, Apple Mail, smartphone).",
    "Email address:     ",
    "Name:              ",
    "User name:         ",
    "Password:          ",
    "The password is not included in this message. Please ask your\nadministrator for it.",
    "Incoming mail (IMAP)",
    "Incoming mail (POP3)",
    "Outgoing mail (SMTP)",
    "  Server:            ",
    "  Port:              ",
    "  Security:          ",
    "  Authentication:    ",
    "Normal password",
    "none",
    "The outgoing server needs the same user name and password.",
    "This message was generated automatically.",
};

constexpr Texts kGerman = {
    "Zugangsdaten f\u00fcr Ihr Postfach ",
    "Guten Tag,",
    "hier sind die Einstellungen, um das Postfach ",
    " in einem\nE-Mail-Programm (Outlook, Thunderbird, Apple Mail, Smartphone) einzurichten.",
    "E-Mail-Adresse:    ",
    "Name:              ",
    "Benutzername:      ",
    "Passwort:          ",
    "Das Passwort ist in dieser Nachricht nicht enthalten. Bitte fragen Sie\nIhren "
    "Administrator danach.",
    "Posteingang (IMAP)",
    "Posteingang (POP3)",
    "Postausgang (SMTP)",
    "  Server:            ",
    "  Port:              ",
    "  Verschl\u00fcsselung:   ",
    "  Authentifizierung: ",
    "Passwort, normal",
    "keine",
    "Der Postausgangsserver verlangt denselben Benutzernamen und dasselbe Passwort.",
    "Diese Nachricht wurde automatisch erstellt.",
};

bool has_line_break(std::string_view text) {
    return text.find_first_of("\r\n") != std::string_view::npos;
}

void require_no_line_break(std::string_view text, std::string_view field) {
    if (has_line_break(text)) {
        throw AccessDataError(Reason::LineBreakInInput,
                              std::string(field) + " must not contain CR or LF");
    }
}

void validate_server(std::string_view protocol, const std::string& host, int port,
                     const std::string& security) {
    require_no_line_break(host, std::string(protocol) + " host");
    require_no_line_break(security, std::string(protocol) + " security");
    if (!is_valid_host_name(host)) {
        throw AccessDataError(Reason::InvalidHosts, std::string(protocol) +
                                                        " host is not a valid host name: \"" +
                                                        to_valid_utf8(host) + "\"");
    }
    if (port < 1 || port > 65535) {
        throw AccessDataError(
            Reason::InvalidHosts,
            std::string(protocol) + " port " + std::to_string(port) + " is outside 1-65535");
    }
    if (security != "ssl" && security != "starttls" && security != "none") {
        throw AccessDataError(Reason::InvalidHosts,
                              std::string(protocol) +
                                  " security must be ssl, starttls or none, not \"" +
                                  to_valid_utf8(security) + "\"");
    }
}

void append_server(std::string& body, const Texts& t, std::string_view title,
                   const std::string& host, int port, const std::string& security) {
    const std::string_view mode = security == "ssl"        ? std::string_view("SSL/TLS")
                                  : security == "starttls" ? std::string_view("STARTTLS")
                                                           : t.none;
    body += title;
    body += '\n';
    body += std::string(t.server) + host + '\n';
    body += std::string(t.port) + std::to_string(port) + '\n';
    body += std::string(t.security) + std::string(mode) + '\n';
    body += std::string(t.authentication) + std::string(t.normal_password) + '\n';
}

std::string domain_of(const std::string& address) {
    return address.substr(address.rfind('@') + 1);
}

}  // namespace

void validate_mail_client_hosts(const MailClientHosts& hosts) {
    validate_server("IMAP", hosts.imap_host, hosts.imap_port, hosts.imap_security);
    if (!hosts.pop3_host.empty()) {
        validate_server("POP3", hosts.pop3_host, hosts.pop3_port, hosts.pop3_security);
    }
    validate_server("SMTP", hosts.smtp_host, hosts.smtp_port, hosts.smtp_security);
}

std::string compose_access_data_message(const AccessDataRequest& request) {
    require_no_line_break(request.mailbox_address, "mailbox address");
    require_no_line_break(request.email_name, "email name");
    require_no_line_break(request.recipient_address, "recipient address");
    require_no_line_break(request.language, "language");
    require_no_line_break(request.sender_address, "sender address");
    require_no_line_break(request.message_id_domain, "Message-ID domain");
    if (request.password) require_no_line_break(*request.password, "password");
    const MailClientHosts& hosts = request.hosts;
    for (const std::string* field :
         {&hosts.imap_host, &hosts.imap_security, &hosts.pop3_host, &hosts.pop3_security,
          &hosts.smtp_host, &hosts.smtp_security}) {
        require_no_line_break(*field, "mail client host setting");
    }

    if (!is_valid_address_syntax(request.recipient_address)) {
        throw AccessDataError(Reason::InvalidRecipient,
                              "recipient is not a valid mail address: \"" +
                                  to_valid_utf8(request.recipient_address) + "\"");
    }
    if (!is_valid_address_syntax(request.mailbox_address)) {
        throw AccessDataError(Reason::InvalidMailbox, "mailbox is not a valid mail address: \"" +
                                                          to_valid_utf8(request.mailbox_address) +
                                                          "\"");
    }
    const std::string& sender =
        request.sender_address.empty() ? request.mailbox_address : request.sender_address;
    if (!is_valid_address_syntax(sender)) {
        throw AccessDataError(Reason::InvalidSender, "sender is not a valid mail address: \"" +
                                                         to_valid_utf8(sender) + "\"");
    }
    const Texts* texts = nullptr;
    if (request.language == "de") {
        texts = &kGerman;
    } else if (request.language == "en") {
        texts = &kEnglish;
    } else {
        throw AccessDataError(Reason::InvalidLanguage, "language must be \"de\" or \"en\", not \"" +
                                                           to_valid_utf8(request.language) + "\"");
    }
    const Texts& t = *texts;
    validate_mail_client_hosts(hosts);
    const std::string id_domain =
        request.message_id_domain.empty() ? domain_of(sender) : request.message_id_domain;
    if (!is_valid_host_name(id_domain)) {
        throw AccessDataError(Reason::InvalidMessageIdDomain, "not a valid Message-ID domain: \"" +
                                                                  to_valid_utf8(id_domain) + "\"");
    }

    const std::string& address = request.mailbox_address;
    const std::string name = sanitize_display_name(request.email_name);
    std::string body;
    body += std::string(t.greeting) + "\n\n";
    body += std::string(t.intro_before) + address + std::string(t.intro_after) + "\n\n";
    body += std::string(t.email_address) + address + '\n';
    if (!name.empty()) body += std::string(t.name) + name + '\n';
    body += std::string(t.user_name) + address + '\n';
    if (request.password) {
        body += std::string(t.password) + *request.password + '\n';
    } else {
        body += '\n';
        body += std::string(t.no_password) + '\n';
    }
    const MailClientHosts& h = hosts;
    body += '\n';
    append_server(body, t, t.imap, h.imap_host, h.imap_port, h.imap_security);
    if (!h.pop3_host.empty()) {
        body += '\n';
        append_server(body, t, t.pop3, h.pop3_host, h.pop3_port, h.pop3_security);
    }
    body += '\n';
    append_server(body, t, t.smtp, h.smtp_host, h.smtp_port, h.smtp_security);
    body += '\n';
    body += std::string(t.smtp_note) + '\n';
    body += '\n';
    body += std::string(t.footer) + '\n';

    std::string message;
    message += "Date: " + format_rfc5322_date(request.now) + '\n';
    message += "From: " + format_address_header(request.email_name, sender, "From") + '\n';
    message += "To: " + format_address_header("", request.recipient_address, "To") + '\n';
    message += encode_unstructured_header("Subject", std::string(t.subject) + address) + '\n';
    message += "Message-ID: " + make_message_id(id_domain) + '\n';
    message += "MIME-Version: 1.0\n";
    message += "Content-Type: text/plain; charset=UTF-8\n";
    message += "Content-Transfer-Encoding: quoted-printable\n";
    message += "Auto-Submitted: auto-generated\n";
    message += '\n';
    message += encode_quoted_printable(body);
    return message;
}

}  // namespace boxwarden
