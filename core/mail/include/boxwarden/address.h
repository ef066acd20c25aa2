#pragma once
// Mail address normalisation and validation, with the same rules as the SQL
// triggers (sql/migrations/0002_rules.sql), so callers can refuse early with
// the same reason the database would give.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden {

struct MailAddress {
    std::string local_part;
    std::string domain;
    std::string str() const { return local_part + "@" + domain; }
};

// ASCII lowercase; bytes >= 0x80 are left as they are.
std::string ascii_lowercase(std::string_view s);

// The one normalisation every address look-up uses, so that an address
// names the mailbox Postfix will deliver it to: trims blanks and one pair of
// angle brackets, drops a source route ("@relay:"), unquotes a quoted local
// part ("\"old\"@example.de"), drops one trailing dot of the domain
// ("old@example.de."), lowercases ASCII. Does not validate.
std::string normalize_address(std::string_view raw);
// The same into `out` (replacing its contents, keeping its capacity), for
// callers that reuse one buffer. `raw` must not point into `out`.
void normalize_address_into(std::string_view raw, std::string& out);

// The reason a lowercased local part is not an RFC 5321 dot-atom of at most
// 64 octets, or nullopt when it is valid.
std::optional<std::string> local_part_problem(std::string_view local_part);

// The reason a lowercased domain is not a valid host name (LDH labels, at
// least two, each 1..63 octets, at most 253 in all), or nullopt.
std::optional<std::string> domain_problem(std::string_view domain);

// Syntax of any mail address as written (either case): a dot-atom local
// part of at most 64 octets, '@', a mail domain (two or more LDH labels, top
// label not all digits); at most 254 octets. No quoted local parts, address
// literals or SMTPUTF8. For recipients of mail we send (access data).
bool is_valid_address_syntax(std::string_view address);

// A host name: one or more LDH labels (either case), at most 253 octets
// ("mail", "imap.example.de" and "192.0.2.25" pass).
bool is_valid_host_name(std::string_view host);

// Normalises and splits at the last '@'; nullopt when either half is invalid.
std::optional<MailAddress> parse_mail_address(std::string_view raw);

// The reason a raw address is invalid (for error messages), or nullopt.
std::optional<std::string> address_problem(std::string_view raw);

// "user+tag@example.de" -> "user@example.de" for the given delimiters
// (Postfix recipient_delimiter semantics: the first delimiter found splits).
// Returns the input when there is no extension.
std::string strip_address_extension(std::string_view address, std::string_view delimiters);

// The keys a mailbox is looked up with, in order: the full address, then
// (when it has an extension and the rest is valid) the address without it,
// as Postfix's virtual(5) maps are searched. One key when there is none.
std::vector<std::string> mailbox_lookup_keys(const MailAddress& address,
                                             std::string_view delimiters);

}  // namespace boxwarden
