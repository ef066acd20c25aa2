#pragma once
// RFC 5322 address-list / mailbox-list parser for the address header fields
// (From, To, Cc, Resent-To, Resent-Cc, Reply-To), with the obsolete syntax of
// RFC 5322 section 4.4. Pure; linear in the input (no recursion, no
// backtracking). docs/mail-rules.md is the specification.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "boxwarden/mail_header.h"

namespace boxwarden {

// One mailbox of a header field.
struct HeaderMailbox {
    // UTF-8: quoted-pairs resolved, encoded-words decoded, comments dropped,
    // runs of white space one space. Not sanitized (an encoded-word may hold
    // control characters): sanitize_display_name() before writing it out.
    std::string display_name;
    // addr-spec without CFWS or route; domain ASCII-lowercased and a trailing
    // dot removed; local part as written, but a quoted local part that is a
    // valid dot-atom loses its quotes ("info"@x -> info@x).
    std::string address;
    // The group the mailbox was listed in ("team" for team: a@x;), or "".
    std::string group;
};

enum class AddressListErrorKind {
    TooLong,           // the field value exceeds AddressListLimits::max_bytes
    TooManyAddresses,  // more than AddressListLimits::max_addresses mailboxes
    Syntax,            // not an RFC 5322 address-list / mailbox-list
};

struct AddressListLimits {
    std::size_t max_bytes = 64 * 1024;
    std::size_t max_addresses = 1000;
};

struct AddressListResult {
    std::vector<HeaderMailbox> mailboxes;  // empty when error is set
    bool ok = true;
    AddressListErrorKind error_kind = AddressListErrorKind::Syntax;
    std::size_t error_offset = 0;  // byte offset in the unfolded field value
    std::string error;             // English, ASCII, never echoes input bytes
};

// A field value as the header callback gives it (after "Name:"; folded with
// LF or CRLF + WSP). Groups are allowed: a group contributes its members
// (none for "undisclosed-recipients:;"). Empty list elements are skipped.
AddressListResult parse_address_list(std::string_view field_value,
                                     const AddressListLimits& limits = {});

// Like parse_address_list, but a group is a syntax error (From, Sender).
AddressListResult parse_mailbox_list(std::string_view field_value,
                                     const AddressListLimits& limits = {});

// True when the header address names `mailbox` (a hosted mailbox address,
// lowercase): ASCII case is ignored and an address extension after the first
// of `delimiters` is ignored ("Info+x@Example.DE" names info@example.de for
// delimiters "+").
bool names_mailbox(std::string_view header_address, std::string_view mailbox,
                   std::string_view delimiters);

}  // namespace boxwarden
