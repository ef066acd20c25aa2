#include "delivery_record.h"

#include "boxwarden/activity_event_id.h"
#include "boxwarden/address.h"
#include "boxwarden/address_list.h"
#include "boxwarden/ooo_decision.h"
#include "boxwarden/rfc2047.h"
#include "boxwarden/utf8.h"

namespace boxwarden::dovecot_plugin {
namespace {

constexpr std::size_t kMaxRecipientsBytes = 65535;

bool is_trace_field(std::string_view name) {
    for (std::string_view t : {"Return-Path", "Received", "Delivered-To", "X-Original-To"})
        if (equals_ignoring_case(name, t)) return true;
    return false;
}

// The next physical line of `block` from `pos` (without its LF / CRLF).
std::string_view next_line(std::string_view block, std::size_t& pos) {
    const std::size_t start = pos;
    const std::size_t lf = block.find('\n', pos);
    std::size_t end = lf == std::string_view::npos ? block.size() : lf;
    pos = lf == std::string_view::npos ? block.size() : lf + 1;
    if (end > start && block[end - 1] == '\r') --end;
    return block.substr(start, end - start);
}

// At most max bytes, cut at a UTF-8 character boundary.
std::string cut_utf8(std::string s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
    return s;
}

}  // namespace

std::vector<HeaderField> parse_header_block(std::string_view block, std::size_t max_fields) {
    std::vector<HeaderField> fields;
    bool in_field = false;  // the last line started a field we keep
    std::size_t pos = 0;
    while (pos < block.size()) {
        const std::string_view line = next_line(block, pos);
        if (line.empty()) break;  // end of the header
        if (line[0] == ' ' || line[0] == '\t') {
            if (in_field) {
                fields.back().value += "\r\n";
                fields.back().value += line;
            }
            continue;
        }
        in_field = false;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0 || fields.size() >= max_fields) continue;
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        if (name.empty()) continue;
        fields.push_back(HeaderField{std::string(name), std::string(line.substr(colon + 1))});
        in_field = true;
    }
    return fields;
}

std::size_t header_line_count(std::string_view block) {
    std::size_t n = 0;
    std::size_t pos = 0;
    while (pos < block.size()) {
        if (next_line(block, pos).empty()) break;
        ++n;
    }
    return n;
}

std::string header_fallback_id(const std::vector<HeaderField>& headers) {
    std::string out;
    for (const HeaderField& f : headers) {
        if (is_trace_field(f.name)) continue;
        out += f.name;
        out += ':';
        out += f.value;
        out += '\n';
    }
    return out;
}

client::RecordActivity received_activity(const DeliveryFacts& facts) {
    client::RecordActivity a;
    const std::vector<std::string> ids = header_values(facts.headers, "Message-ID");
    const std::string message_id_header = ids.empty() ? std::string() : ids.front();
    std::string fallback = facts.fallback_id;
    if (fallback.empty()) fallback = header_fallback_id(facts.headers);
    if (fallback.empty()) fallback = "no-header";
    a.event_id =
        activity_event_id(ActivityDirection::Received, facts.mailbox, message_id_header, fallback);
    a.mailbox = facts.mailbox;
    a.direction = "received";
    a.occurred_at = client::format_protocol_time(facts.delivered_at);
    a.message_id = to_valid_utf8(message_id_token(message_id_header));
    a.message_id = cut_utf8(std::move(a.message_id), 998);
    a.sender = to_valid_utf8(normalized_return_path(facts.envelope_sender));
    if (a.sender.size() > 320) a.sender.clear();  // not an address policyd accepts

    std::string recipients;
    for (const char* name : {"To", "Cc"}) {
        for (const std::string& v : header_values(facts.headers, name)) {
            const AddressListResult parsed = parse_address_list(v);
            for (const HeaderMailbox& m : parsed.mailboxes) {
                if (recipients.size() + m.address.size() + 1 > kMaxRecipientsBytes) break;
                if (!recipients.empty()) recipients += ',';
                recipients += m.address;
            }
        }
    }
    a.recipients = recipients.empty() ? facts.mailbox : to_valid_utf8(recipients);

    const std::vector<std::string> subjects = header_values(facts.headers, "Subject");
    if (!subjects.empty()) {
        a.subject = to_valid_utf8(decode_rfc2047(unfolded_trimmed(subjects.front())));
        a.subject = cut_utf8(std::move(a.subject), kMaxRecipientsBytes);
    }
    a.in_to_header =
        in_to_header(facts.mailbox, header_values(facts.headers, "To"), facts.delimiters);
    return a;
}

}  // namespace boxwarden::dovecot_plugin

namespace boxwarden::dovecot_plugin {

std::optional<TimePoint> parse_policyd_time(std::string_view text) {
    // 0123456789012345678
    // YYYY-MM-DD HH:MM:SS
    if (text.size() < 19) return std::nullopt;
    auto digits = [&](std::size_t at, std::size_t n, int& out) {
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (text[i] < '0' || text[i] > '9') return false;
            out = out * 10 + (text[i] - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, s;
    if (!digits(0, 4, y) || text[4] != '-' || !digits(5, 2, mo) || text[7] != '-' ||
        !digits(8, 2, d) || (text[10] != ' ' && text[10] != 'T') || !digits(11, 2, h) ||
        text[13] != ':' || !digits(14, 2, mi) || text[16] != ':' || !digits(17, 2, s))
        return std::nullopt;
    long long micros = 0;
    if (text.size() > 19) {
        if (text[19] != '.' || text.size() == 20 || text.size() > 26) return std::nullopt;
        int frac = 0;
        const std::size_t n = text.size() - 20;
        if (!digits(20, n, frac)) return std::nullopt;
        micros = frac;
        for (std::size_t i = n; i < 6; ++i) micros *= 10;
    }
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                          std::chrono::day{unsigned(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
    return TimePoint{std::chrono::sys_days{ymd}.time_since_epoch()} + std::chrono::hours{h} +
           std::chrono::minutes{mi} + std::chrono::seconds{s} + std::chrono::microseconds{micros};
}

}  // namespace boxwarden::dovecot_plugin
