#pragma once
// Whether the Dovecot plugin sends an out-of-office reply to a delivered
// message (issue #10), per RFC 3834 and RFC 5230: facts + clock in, every
// rule that forbids a reply out as its own reason. The reply-once period
// (ooo_interval_days) is not decided here: after a "reply" the plugin asks
// policyd (request=ooo_claim), which records it in MySQL.
// docs/mail-rules.md is the specification.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxwarden/address_list.h"
#include "boxwarden/clock.h"
#include "boxwarden/header_fields.h"

namespace boxwarden {

inline constexpr std::size_t kOooMaxRecipients = 64;    // in To/Cc/Resent-To/Resent-Cc
inline constexpr std::size_t kOooMaxHeaderLines = 512;  // physical lines, folds included

struct OooFacts {
    std::string mailbox_address;  // the recipient mailbox, lowercase
    bool mailbox_active = false;
    bool ooo_enabled = false;
    std::optional<TimePoint> ooo_start;  // nullopt = unbounded
    std::optional<TimePoint> ooo_end;    // nullopt = unbounded
    std::string recipient_delimiters;    // e.g. "+"
    std::string envelope_sender;         // MAIL FROM / Return-Path; "" or "<>" = null sender
    std::vector<HeaderField> headers;    // every header field of the message, in order
};

enum class OooReason {
    MailboxInactive,         // mailbox.active = 0
    OooDisabled,             // ooo_enabled = 0
    BeforeWindow,            // now < ooo_start
    AfterWindow,             // now >= ooo_end
    NullSender,              // MAIL FROM:<>
    SystemSender,            // MAILER-DAEMON, LISTSERV, majordomo, owner-*, *-request
    NoReplySender,           // noreply, no-reply, donotreply, ...
    UnusableSender,          // not an address we can write a To header for
    FromSelf,                // the envelope sender is the mailbox itself
    AutoSubmitted,           // Auto-Submitted other than "no"
    Precedence,              // Precedence: bulk, list or junk
    ListHeader,              // any List-* header
    AutoResponseSuppressed,  // X-Auto-Response-Suppress: All or OOF
    SpamFlag,                // X-Spam-Flag: YES
    NotAddressed,            // mailbox not in To/Cc/Resent-To/Resent-Cc (Bcc, list expansion)
    TooManyRecipients,       // more than kOooMaxRecipients in those headers
    TooManyHeaderLines,      // more than kOooMaxHeaderLines
};

struct OooDecision {
    bool reply = false;              // true exactly when reasons is empty
    std::vector<OooReason> reasons;  // every rule that forbids a reply, in enum order
};

OooDecision decide_ooo_reply(const OooFacts& facts, TimePoint now);

std::string_view to_string(OooReason reason);

// The Cc/Bcc VIP rule: is `mailbox` among the parsed To mailboxes (case and
// address extensions ignored)?
bool in_to_header(std::string_view mailbox, const std::vector<HeaderMailbox>& to_mailboxes,
                  std::string_view delimiters);

// The same for raw To header values (each parsed with parse_address_list;
// one that does not parse names nobody).
bool in_to_header(std::string_view mailbox, const std::vector<std::string>& to_values,
                  std::string_view delimiters);

// The envelope sender as the reply recipient: <> and blanks removed,
// lowercased; "" for the null sender.
std::string normalized_return_path(std::string_view envelope_sender);

}  // namespace boxwarden
