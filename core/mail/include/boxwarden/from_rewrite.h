#pragma once
// The milter's decisions about the From header of an authenticated
// submission (issue #9): may the login send as the From address, which
// display name to set, and the new header value. Pure: facts in, verdict as
// data out. docs/mail-rules.md is the specification (exact reply texts).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxwarden/address_list.h"

namespace boxwarden {

// --- which display name -----------------------------------------------------

struct FromNameFacts {
    bool sender_is_hosted_mailbox = false;  // the envelope sender is a mailbox we host
    std::string mailbox_email_name;         // that mailbox's email_name ("" = not set)
    std::string sasl_login;                 // "" = not authenticated
    bool login_is_user_account = false;     // the login is a user_account row
    std::string user_display_name;          // that user's display_name
};

enum class FromNameSource {
    EmailName,        // the mailbox's email_name
    UserDisplayName,  // the sending user's display_name
    NoneNotHosted,    // the envelope sender is not a hosted mailbox
    NoneNotAuthenticated,
    NoneNoName,  // neither name is set: leave the From as the client wrote it
};

struct FromNameChoice {
    FromNameSource source;
    std::optional<std::string> name;  // sanitize_display_name() applied; nullopt = keep From
};

// email_name if set, else the user's display_name when the login is a
// user_account, else none. A name that is empty after sanitize_display_name()
// counts as not set.
FromNameChoice choose_from_display_name(const FromNameFacts& facts);

std::string_view to_string(FromNameSource source);

// --- may the login use this From address ------------------------------------

struct FromOwnershipFacts {
    std::string sasl_login;                       // the authenticated login
    bool login_is_mailbox = false;                // the login is a hosted mailbox address
    std::vector<std::string> assigned_mailboxes;  // mailboxes the login's user is assigned to now
    std::string recipient_delimiters;             // e.g. "+": info+x@ is info@
};

enum class FromCheck {
    Accept,
    NoFrom,              // 550 5.6.0
    SeveralFromHeaders,  // 550 5.6.0
    Unparseable,         // 550 5.6.0
    NoAddress,           // 550 5.6.0 (e.g. an empty value)
    SeveralAddresses,    // 550 5.7.1
    NotOwned,            // 550 5.7.1
};

struct FromVerdict {
    FromCheck check;
    int smtp_code;         // 250 or 550
    std::string enhanced;  // "2.0.0", "5.6.0" or "5.7.1"
    std::string text;      // printable ASCII, no CR/LF
    HeaderMailbox from;    // the one From mailbox (Accept and NotOwned)
};

// `from_values`: the value of every From header of the message, in order.
FromVerdict check_from_header(const std::vector<std::string>& from_values,
                              const FromOwnershipFacts& facts);

std::string_view to_string(FromCheck check);

// --- the new value ----------------------------------------------------------

// The From value to pass to smfi_chgheader: `from.address` unchanged, `name`
// through format_address_header() (sanitized, quoted or RFC 2047 encoded,
// folded at 78 columns with LF + space). No leading space: with
// SMFIP_HDR_LEADSPC the milter prepends one. nullopt when the address is not
// a plain dot-atom address that format_address_header accepts (the milter
// then leaves the header as it is).
std::optional<std::string> new_from_header_value(const HeaderMailbox& from, std::string_view name);

}  // namespace boxwarden
