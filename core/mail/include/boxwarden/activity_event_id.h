#pragma once
// A stable event_id for an activity entry (docs/protocol.md record_activity:
// 1-128 bytes, unique per mail and mailbox, a repeat is stored once), so a
// retry, a spool replay or a second mail host stores the entry once.
// docs/mail-rules.md is the specification.
#include <cstddef>
#include <string>
#include <string_view>

namespace boxwarden {

enum class ActivityDirection { Sent, Received };

inline constexpr std::size_t kActivityEventIdLength = 70;

// "bw1-s-<64 hex>" (sent) or "bw1-r-<64 hex>" (received): BLAKE2b-256 over
// the direction, the lowercased mailbox address and the Message-ID (the
// first <...> of the header value, else the value with white space
// trimmed), or, when the message has no Message-ID, over `fallback` (e.g.
// the queue id, or a hash of the headers), kept apart from Message-IDs so
// the two never collide. Throws std::invalid_argument when the mailbox is
// empty, or when both the Message-ID and the fallback are empty.
std::string activity_event_id(ActivityDirection direction, std::string_view mailbox_address,
                              std::string_view message_id_header, std::string_view fallback);

// The msg-id that activity_event_id() uses: the first "<...>" of the value
// (folding and white space around it removed), else the trimmed value.
std::string message_id_token(std::string_view message_id_header);

}  // namespace boxwarden
