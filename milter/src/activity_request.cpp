#include "activity_request.h"

#include "boxwarden/activity_event_id.h"
#include "boxwarden/attr_codec.h"
#include "boxwarden/rfc2047.h"

namespace boxwarden::milter {

namespace {

std::size_t escaped_size(std::string_view name, const std::string& value) {
    return encode_attributes({{std::string(name), value}}, AttrEncoding::Escaped).size();
}

// Back to the start of the UTF-8 character at or before n.
std::size_t char_boundary(const std::string& s, std::size_t n) {
    while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return n;
}

}  // namespace

std::string fit_escaped(std::string_view name, std::string value, std::size_t max_line) {
    // encode_attributes ends the line and the request with "\n\n".
    const std::size_t limit = max_line + 2;
    for (std::size_t size = escaped_size(name, value); size > limit;
         size = escaped_size(name, value)) {
        const std::size_t over = size - limit;
        // Every byte costs at most 3 escaped bytes: drop at least over/3 + 1.
        const std::size_t drop = over / 3 + 1;
        value.resize(char_boundary(value, value.size() > drop ? value.size() - drop : 0));
    }
    return value;
}

client::RecordActivity sent_activity(const MessageCollector& message, std::string_view mailbox,
                                     std::string_view queue_id, TimePoint at_end_of_message) {
    client::RecordActivity r;
    const std::string fallback =
        queue_id.empty() ? std::string() : "queue-id:" + std::string(queue_id);
    r.event_id = activity_event_id(ActivityDirection::Sent, mailbox,
                                   message.has_message_id() ? message.message_id() : "",
                                   fallback.empty() ? "no-message-id" : fallback);
    r.mailbox = std::string(mailbox);
    r.direction = "sent";
    r.occurred_at = client::format_protocol_time(at_end_of_message);
    // Message-ID as written (the queue id when there is none, as in the log).
    r.message_id =
        message.has_message_id() ? message_id_token(message.message_id()) : std::string(queue_id);
    r.message_id = fit_escaped("message_id", r.message_id, 998);
    r.sender = message.envelope_sender();
    std::string recipients;
    for (const std::string& rcpt : message.recipients()) {
        if (!recipients.empty()) recipients += ',';
        recipients += rcpt;
    }
    std::size_t dropped = message.recipients_dropped();
    std::string fitted = fit_escaped("recipients", recipients, kMaxEscapedLine - 32);
    if (fitted.size() < recipients.size()) {
        // Cut at the last whole address.
        const std::size_t comma = fitted.rfind(',');
        fitted.resize(comma == std::string::npos ? 0 : comma);
        std::size_t kept = fitted.empty() ? 0 : 1;
        for (char c : fitted) kept += c == ',';
        dropped += message.recipients().size() - kept;
    }
    if (dropped > 0) fitted += " (+" + std::to_string(dropped) + " more)";
    r.recipients = std::move(fitted);
    std::string_view subject = message.subject();
    while (!subject.empty() && (subject.front() == ' ' || subject.front() == '\t'))
        subject.remove_prefix(1);
    r.subject = fit_escaped("subject", decode_rfc2047(subject));
    r.in_to_header = true;
    return r;
}

}  // namespace boxwarden::milter
