// "Send access data": the mail that tells a person how to set a mailbox up in
// a mail client. docs/passwords-and-access-data.md shows a full example.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace boxwarden {

// Client-facing servers of the installation (configured once). Security is
// "ssl" (implicit TLS), "starttls" or "none". An empty pop3_host means POP3
// is not offered: its section is left out of mails and autoconfig files.
struct MailClientHosts {
    std::string imap_host;
    int imap_port = 993;
    std::string imap_security = "ssl";
    std::string pop3_host;
    int pop3_port = 995;
    std::string pop3_security = "ssl";
    std::string smtp_host;
    int smtp_port = 465;
    std::string smtp_security = "ssl";
};

class AccessDataError : public std::invalid_argument {
  public:
    enum class Reason {
        LineBreakInInput,  // CR or LF in any input field
        InvalidRecipient,  // recipient_address fails is_valid_address_syntax()
        InvalidMailbox,    // mailbox_address fails is_valid_address_syntax()
        InvalidSender,     // sender_address fails is_valid_address_syntax()
        InvalidLanguage,   // not "de" or "en"
        InvalidHosts,      // bad host name, port outside 1-65535, unknown security
        InvalidMessageIdDomain,
    };
    AccessDataError(Reason reason, const std::string& message)
        : std::invalid_argument(message), reason_(reason) {}
    [[nodiscard]] Reason reason() const noexcept { return reason_; }

  private:
    Reason reason_;
};

// Throws AccessDataError(InvalidHosts or LineBreakInInput) unless imap and
// smtp hosts (and pop3, when pop3_host is not empty) are host names of
// dot-separated [A-Za-z0-9-] labels, ports are 1-65535 and security values
// are "ssl", "starttls" or "none".
void validate_mail_client_hosts(const MailClientHosts& hosts);

struct AccessDataRequest {
    std::string mailbox_address;    // the account: also the user name for IMAP/POP3/SMTP
    std::string email_name;         // display name for From; may be empty
    std::string recipient_address;  // where the mail goes (given by the admin)
    std::string language = "en";    // "de" or "en"
    MailClientHosts hosts;
    std::optional<std::string> password;  // included only when set
    std::string sender_address;           // From address; empty: mailbox_address
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    std::string message_id_domain;  // empty: the domain of the From address
};

// A complete RFC 5322 message (headers, empty line, body) with LF line ends,
// ready for `sendmail -i -f <sender> -- <recipient>` (which converts to
// CRLF). Headers: Date, From, To, Subject, Message-ID, MIME-Version,
// Content-Type (text/plain; charset=UTF-8), Content-Transfer-Encoding
// (quoted-printable), Auto-Submitted (auto-generated). Throws AccessDataError.
std::string compose_access_data_message(const AccessDataRequest& request);

}  // namespace boxwarden
