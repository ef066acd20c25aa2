#pragma once
// The mail-client set-up documents of a hosted domain or mailbox (Mozilla
// autoconfig, Outlook Autodiscover, Apple .mobileconfig) from the imap_*,
// pop3_*, smtp_* configuration keys: `boxwardenctl autoconfig` and the web
// page's downloads both call client_setup_document, so the checks, the
// refusal texts and the bytes are the same.
#include <optional>
#include <string>
#include <string_view>

#include "boxwarden/admin.h"

namespace boxwarden::admin {

enum class ClientSetupFormat { Mozilla, Autodiscover, Mobileconfig };

// "mozilla", "autodiscover", "mobileconfig"; nullopt for anything else.
std::optional<ClientSetupFormat> parse_client_setup_format(std::string_view name);
const char* client_setup_format_name(ClientSetupFormat format);
// Autodiscover and Mobileconfig are per address (they need `email`).
inline bool client_setup_needs_email(ClientSetupFormat f) {
    return f != ClientSetupFormat::Mozilla;
}

struct ClientSetupDocument {
    std::string domain;        // as stored
    std::string email;         // normalized; empty for Mozilla
    std::string body;          // the XML
    std::string content_type;  // for HTTP
    std::string file_name;     // for a download
};

// Refusal "domain 'D' does not exist" unless DOMAIN is in table domain;
// for the per-address formats Refusal "address 'A' refused: not a valid
// address in domain 'D'" unless `email` is a valid address in it (an empty
// `email` is refused the same way; the CLI asks for --email before). The
// .mobileconfig carries the mailbox's email name when the mailbox exists
// and has one. ConfigError for invalid imap_*/pop3_*/smtp_* keys.
ClientSetupDocument client_setup_document(db::Connection& db, const Config& config,
                                          ClientSetupFormat format, const std::string& domain,
                                          const std::string& email);

}  // namespace boxwarden::admin
