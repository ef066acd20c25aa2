#pragma once
// The record_activity request for a sent message (docs/milter.md "Sent
// activity"). Pure: the collected facts and the time in, the request out.
#include <cstddef>
#include <string>
#include <string_view>

#include "boxwarden/clock.h"
#include "boxwarden/policyd_client.h"
#include "message_collector.h"

namespace boxwarden::milter {

// One protocol line may hold at most 4096 escaped bytes (docs/protocol.md
// "Limits"); subject and recipients are cut to fit under this.
inline constexpr std::size_t kMaxEscapedLine = 4000;

// mailbox: the hosted mailbox (policyd's normalised address); queue_id: the
// "i" macro, the event_id's fallback when the message has no Message-ID.
// The subject is RFC 2047 decoded (valid UTF-8, never refused); recipients
// are comma-separated, with "(+N more)" when some were cut.
client::RecordActivity sent_activity(const MessageCollector& message, std::string_view mailbox,
                                     std::string_view queue_id, TimePoint at_end_of_message);

// value cut at a UTF-8 character boundary so that "name=" + its escaped
// form is at most max_line bytes.
std::string fit_escaped(std::string_view name, std::string value,
                        std::size_t max_line = kMaxEscapedLine);

}  // namespace boxwarden::milter
