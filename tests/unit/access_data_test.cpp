#include "boxwarden/access_data.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "boxwarden/mail_header.h"

namespace boxwarden {
namespace {

MailClientHosts sample_hosts() {
    MailClientHosts h;
    h.imap_host = "imap.example.de";
    h.imap_port = 993;
    h.imap_security = "ssl";
    h.pop3_host = "pop.example.de";
    h.pop3_port = 110;
    h.pop3_security = "starttls";
    h.smtp_host = "smtp.example.de";
    h.smtp_port = 587;
    h.smtp_security = "starttls";
    return h;
}

AccessDataRequest sample_request() {
    AccessDataRequest r;
    r.mailbox_address = "info@example.de";
    r.email_name = "M\xC3\xBCller Immobilien";
    r.recipient_address = "admin@customer.example";
    r.language = "en";
    r.hosts = sample_hosts();
    r.password = "Xk7#mP2q=Rt9 ";
    r.now = std::chrono::system_clock::time_point{std::chrono::seconds{1136214245}};
    return r;
}

struct ParsedMessage {
    std::vector<std::pair<std::string, std::string>> headers;  // unfolded values
    std::string body;                                          // QP-decoded
    std::string raw_body;

    [[nodiscard]] std::string header(const std::string& name) const {
        for (const auto& [n, v] : headers) {
            if (n == name) return v;
        }
        return {};
    }
};

ParsedMessage parse(const std::string& message) {
    ParsedMessage parsed;
    const size_t split = message.find("\n\n");
    EXPECT_NE(split, std::string::npos);
    const std::string head = message.substr(0, split + 1);
    parsed.raw_body = message.substr(split + 2);
    parsed.body = decode_quoted_printable(parsed.raw_body);
    size_t start = 0;
    while (start < head.size()) {
        size_t end = head.find('\n', start);
        std::string line = head.substr(start, end - start);
        EXPECT_LE(line.size(), 78u) << line;
        start = end + 1;
        if (line.front() == ' ' || line.front() == '\t') {
            EXPECT_FALSE(parsed.headers.empty());
            parsed.headers.back().second += line;
            continue;
        }
        const size_t colon = line.find(": ");
        EXPECT_NE(colon, std::string::npos) << line;
        parsed.headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    }
    return parsed;
}

AccessDataError::Reason error_of(const AccessDataRequest& request) {
    try {
        compose_access_data_message(request);
    } catch (const AccessDataError& e) {
        return e.reason();
    }
    ADD_FAILURE() << "no error";
    return AccessDataError::Reason::InvalidMessageIdDomain;
}

TEST(AccessData, EnglishMessageHeaders) {
    const std::string message = compose_access_data_message(sample_request());
    EXPECT_EQ(message.find('\r'), std::string::npos);
    const ParsedMessage m = parse(message);
    std::vector<std::string> names;
    for (const auto& [name, value] : m.headers) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"Date", "From", "To", "Subject", "Message-ID",
                                               "MIME-Version", "Content-Type",
                                               "Content-Transfer-Encoding", "Auto-Submitted"}));
    EXPECT_EQ(m.header("Date"), "Mon, 02 Jan 2006 15:04:05 +0000");
    EXPECT_EQ(m.header("From"), "=?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>");
    EXPECT_EQ(m.header("To"), "<admin@customer.example>");
    EXPECT_EQ(decode_rfc2047(m.header("Subject")), "Access data for your mailbox info@example.de");
    const std::string id = m.header("Message-ID");
    EXPECT_TRUE(id.starts_with("<") && id.ends_with("@example.de>") && id.size() > 45) << id;
    EXPECT_EQ(m.header("MIME-Version"), "1.0");
    EXPECT_EQ(m.header("Content-Type"), "text/plain; charset=UTF-8");
    EXPECT_EQ(m.header("Content-Transfer-Encoding"), "quoted-printable");
    EXPECT_EQ(m.header("Auto-Submitted"), "auto-generated");
}

TEST(AccessData, EnglishBody) {
    const ParsedMessage m = parse(compose_access_data_message(sample_request()));
    const std::string& b = m.body;
    EXPECT_NE(b.find("User name:         info@example.de\n"), std::string::npos) << b;
    EXPECT_NE(b.find("Password:          Xk7#mP2q=Rt9 \n"), std::string::npos) << b;
    EXPECT_NE(b.find("Name:              M\xC3\xBCller Immobilien\n"), std::string::npos) << b;
    EXPECT_NE(b.find("Incoming mail (IMAP)\n"
                     "  Server:            imap.example.de\n"
                     "  Port:              993\n"
                     "  Security:          SSL/TLS\n"
                     "  Authentication:    Normal password\n"),
              std::string::npos)
        << b;
    EXPECT_NE(b.find("Incoming mail (POP3)\n"
                     "  Server:            pop.example.de\n"
                     "  Port:              110\n"
                     "  Security:          STARTTLS\n"),
              std::string::npos)
        << b;
    EXPECT_NE(b.find("Outgoing mail (SMTP)\n"
                     "  Server:            smtp.example.de\n"
                     "  Port:              587\n"
                     "  Security:          STARTTLS\n"),
              std::string::npos)
        << b;
    EXPECT_EQ(b.find("not included"), std::string::npos);
    // Trailing space of the password survives as =20.
    EXPECT_NE(m.raw_body.find("Xk7#mP2q=3DRt9=20\n"), std::string::npos) << m.raw_body;
    for (size_t start = 0; start < m.raw_body.size();) {
        const size_t end = m.raw_body.find('\n', start);
        EXPECT_LE(end - start, 76u);
        start = end + 1;
    }
}

TEST(AccessData, GermanBodyWithoutPassword) {
    AccessDataRequest r = sample_request();
    r.language = "de";
    r.password.reset();
    r.hosts.smtp_security = "none";
    r.hosts.smtp_port = 25;
    const ParsedMessage m = parse(compose_access_data_message(r));
    EXPECT_EQ(decode_rfc2047(m.header("Subject")),
              "Zugangsdaten f\xC3\xBCr Ihr Postfach info@example.de");
    const std::string& b = m.body;
    EXPECT_NE(b.find("Benutzername:      info@example.de\n"), std::string::npos) << b;
    EXPECT_EQ(b.find("Passwort:  "), std::string::npos) << b;
    EXPECT_NE(b.find("Das Passwort ist in dieser Nachricht nicht enthalten."), std::string::npos);
    EXPECT_NE(b.find("  Verschl\xC3\xBCsselung:   SSL/TLS\n"), std::string::npos) << b;
    EXPECT_NE(b.find("  Verschl\xC3\xBCsselung:   keine\n"), std::string::npos) << b;
    EXPECT_NE(b.find("  Authentifizierung: Passwort, normal\n"), std::string::npos) << b;
}

TEST(AccessData, EnglishWithoutPasswordSaysSo) {
    AccessDataRequest r = sample_request();
    r.password.reset();
    r.hosts.imap_security = "none";
    const std::string body = parse(compose_access_data_message(r)).body;
    EXPECT_EQ(body.find("Password:"), std::string::npos);
    EXPECT_NE(body.find("The password is not included in this message."), std::string::npos);
    EXPECT_NE(body.find("  Security:          none\n"), std::string::npos);
}

TEST(AccessData, SenderAndMessageIdDomain) {
    AccessDataRequest r = sample_request();
    r.email_name.clear();
    r.sender_address = "noreply@host.example";
    ParsedMessage m = parse(compose_access_data_message(r));
    EXPECT_EQ(m.header("From"), "<noreply@host.example>");
    EXPECT_NE(m.header("Message-ID").find("@host.example>"), std::string::npos);
    r.message_id_domain = "mx1.example.net";
    m = parse(compose_access_data_message(r));
    EXPECT_NE(m.header("Message-ID").find("@mx1.example.net>"), std::string::npos);
}

TEST(AccessData, Pop3IsOptional) {
    AccessDataRequest r = sample_request();
    r.hosts.pop3_host.clear();
    r.hosts.pop3_port = 0;  // ignored when POP3 is not offered
    const std::string body = parse(compose_access_data_message(r)).body;
    EXPECT_EQ(body.find("POP3"), std::string::npos);
    EXPECT_NE(body.find("IMAP"), std::string::npos);
}

TEST(AccessData, HostileEmailNameCannotInject) {
    AccessDataRequest r = sample_request();
    r.email_name = std::string("Evil") + '\0' + "\x01 \"Name\" \\";
    const ParsedMessage m = parse(compose_access_data_message(r));
    EXPECT_EQ(m.header("From"), "\"Evil \\\"Name\\\" \\\\\" <info@example.de>");
}

TEST(AccessData, RefusesLineBreaksAnywhere) {
    const std::vector<std::function<void(AccessDataRequest&)>> edits = {
        [](auto& r) { r.mailbox_address += "\r\nBcc: x@example.com"; },
        [](auto& r) { r.email_name = "Evil\r\nBcc: x@y"; },
        [](auto& r) { r.email_name = "Evil\nBcc: x@y"; },
        [](auto& r) { r.recipient_address = "admin@customer.example\nBcc: x@example.com"; },
        [](auto& r) { r.language = "en\n"; },
        [](auto& r) { r.password = "pw\rX"; },
        [](auto& r) { r.sender_address = "a@example.de\n"; },
        [](auto& r) { r.message_id_domain = "example.de\n"; },
        [](auto& r) { r.hosts.imap_host = "imap.example.de\r\n"; },
        [](auto& r) { r.hosts.smtp_security = "ssl\n"; },
    };
    for (size_t i = 0; i < edits.size(); ++i) {
        AccessDataRequest r = sample_request();
        edits[i](r);
        EXPECT_EQ(error_of(r), AccessDataError::Reason::LineBreakInInput) << "edit " << i;
    }
}

TEST(AccessData, ValidatesRecipient) {
    for (const char* bad : {"", "admin", "admin@", "@customer.example", "a b@customer.example",
                            "admin@customer", "admin@@customer.example", "<admin@customer.example>",
                            "admin@customer.example, other@x.de", "admin@customer..example",
                            "\"admin\"@customer.example", "admin@[192.0.2.1]"}) {
        AccessDataRequest r = sample_request();
        r.recipient_address = bad;
        EXPECT_EQ(error_of(r), AccessDataError::Reason::InvalidRecipient) << bad;
    }
}

TEST(AccessData, ValidatesOtherFields) {
    AccessDataRequest r = sample_request();
    r.language = "fr";
    EXPECT_EQ(error_of(r), AccessDataError::Reason::InvalidLanguage);
    r = sample_request();
    r.mailbox_address = "info";
    EXPECT_EQ(error_of(r), AccessDataError::Reason::InvalidMailbox);
    r = sample_request();
    r.sender_address = "no reply@example.de";
    EXPECT_EQ(error_of(r), AccessDataError::Reason::InvalidSender);
    r = sample_request();
    r.message_id_domain = "a b";
    EXPECT_EQ(error_of(r), AccessDataError::Reason::InvalidMessageIdDomain);

    const std::vector<std::function<void(MailClientHosts&)>> bad_hosts = {
        [](auto& h) { h.imap_host.clear(); },     [](auto& h) { h.smtp_host = "smtp example.de"; },
        [](auto& h) { h.imap_port = 0; },         [](auto& h) { h.smtp_port = 65536; },
        [](auto& h) { h.pop3_port = -1; },        [](auto& h) { h.imap_security = "tls"; },
        [](auto& h) { h.pop3_security = "SSL"; },
    };
    for (size_t i = 0; i < bad_hosts.size(); ++i) {
        r = sample_request();
        bad_hosts[i](r.hosts);
        EXPECT_EQ(error_of(r), AccessDataError::Reason::InvalidHosts) << "edit " << i;
    }
}

TEST(AccessData, ErrorsAreInvalidArgument) {
    AccessDataRequest r = sample_request();
    r.recipient_address = "nope";
    EXPECT_THROW(compose_access_data_message(r), std::invalid_argument);
}

}  // namespace
}  // namespace boxwarden
