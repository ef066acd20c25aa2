#pragma once
// Pure parts of the Dovecot plugin's delivery side (issue #10): the message
// header block as fields, and the "received" activity entry for one hosted
// mailbox. No Dovecot headers here (C++ only, unit tested).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxwarden/clock.h"
#include "boxwarden/header_fields.h"
#include "boxwarden/policyd_client.h"

namespace boxwarden::dovecot_plugin {

// The header fields of a message (everything up to the first empty line; LF
// or CRLF). Continuation lines stay in the value with their line break, as
// a milter hands them over. A line without a colon (not a field) is
// skipped. At most max_fields fields are kept.
std::vector<HeaderField> parse_header_block(std::string_view block, std::size_t max_fields = 10000);

// Physical header lines (folds included), for the out-of-office line limit.
std::size_t header_line_count(std::string_view block);

struct DeliveryFacts {
    std::string mailbox;          // the hosted mailbox (normalised, no extension)
    std::string envelope_sender;  // MAIL FROM, "" for <>
    std::vector<HeaderField> headers;
    TimePoint delivered_at{};
    std::string delimiters;  // recipient_delimiter, e.g. "+"
    // Used for the event_id when the message has no Message-ID: something
    // stable across a redelivery of the same message (a hash of the header).
    std::string fallback_id;
};

// A stable stand-in for a missing Message-ID: every field but the trace
// fields (Return-Path, Received, Delivered-To, X-Original-To), which the
// LMTP server writes anew on each delivery attempt, joined as written
// (activity_event_id() hashes it).
std::string header_fallback_id(const std::vector<HeaderField>& headers);

// One record_activity(direction=received) for this mailbox: event_id from
// activity_event_id(), Message-ID token, sender, the To and Cc addresses as
// recipients (comma-separated; the mailbox itself when the headers name
// nobody), the decoded subject, in_to_header per in_to_header().
client::RecordActivity received_activity(const DeliveryFacts& facts);

}  // namespace boxwarden::dovecot_plugin

namespace boxwarden::dovecot_plugin {

// policyd's SQL time form "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) -> time
// point; nullopt for "" or anything else.
std::optional<TimePoint> parse_policyd_time(std::string_view text);

}  // namespace boxwarden::dovecot_plugin
