#pragma once
// The out-of-office reply itself (issue #10): a complete RFC 5322 message
// with CRLF line ends, built from the mailbox's settings and the original
// message's headers. Pure: the clock and the random bits are inputs.
// docs/mail-rules.md is the specification.
#include <array>
#include <cstddef>
#include <string>

#include "boxwarden/clock.h"
#include "boxwarden/header_fields.h"

namespace boxwarden {

inline constexpr std::size_t kMaxReplySubjectBytes = 200;  // "Auto: ..." included
inline constexpr std::size_t kMaxReferences = 10;
inline constexpr std::size_t kMaxMessageIdBytes = 250;

struct OooReplyFacts {
    std::string mailbox_address;     // the replying mailbox (From)
    std::string mailbox_email_name;  // its email_name ("" = none)
    std::string ooo_subject;         // used only when the original has no subject
    std::string ooo_body;            // UTF-8, LF or CRLF line ends
    std::string envelope_sender;     // the original's return path: the reply goes there
    std::vector<HeaderField> original_headers;
    bool envelope_sender_is_mailbox = false;  // MAIL FROM:<mailbox> instead of MAIL FROM:<>
};

struct OooReply {
    std::string mail_from;  // "" = the null sender <>
    std::string rcpt_to;    // the normalised return path
    std::string message;    // headers, blank line, quoted-printable body; CRLF line ends
};

// Throws std::invalid_argument when the return path is null or not a
// writable address, or the mailbox address is invalid (decide_ooo_reply()
// refuses those messages first).
OooReply compose_ooo_reply(const OooReplyFacts& facts, TimePoint now,
                           const std::array<unsigned char, 16>& random);

// The reply's Subject text (before encoding): "Auto: " + the decoded
// original subject with white space runs and control characters made one
// space; without an original subject the mailbox's ooo_subject, else
// "Automated reply". Longer than kMaxReplySubjectBytes: cut at a UTF-8
// character boundary and ended with "…".
std::string ooo_reply_subject(const std::vector<HeaderField>& original_headers,
                              std::string_view ooo_subject);

}  // namespace boxwarden
