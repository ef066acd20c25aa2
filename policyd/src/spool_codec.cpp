#include "spool_codec.h"

#include <array>
#include <chrono>

namespace boxwarden::policyd::spool {

namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr char kKindActivity = 'A';
constexpr char kKindAgentAction = 'G';
// An agent action with a target folder ("moved"): the 'G' fields, then the
// folder. Entries without a folder keep the 'G' form, so older spools read.
constexpr char kKindAgentActionFolder = 'F';

constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

constexpr auto kCrcTable = make_crc_table();

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t get_u32(std::string_view in) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
    return v;
}

std::uint64_t get_u64(std::string_view in) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
    return v;
}

void put_string(std::string& out, std::string_view s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

void put_time(std::string& out, TimePoint t) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
    put_u64(out, static_cast<std::uint64_t>(us.count()));
}

// Reads fields front to back; any shortfall makes the whole decode fail.
class Reader {
  public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool ok() const { return ok_; }
    bool at_end() const { return in_.empty(); }

    std::uint8_t byte() {
        if (!need(1)) return 0;
        const auto b = static_cast<std::uint8_t>(in_[0]);
        in_.remove_prefix(1);
        return b;
    }
    std::string string() {
        if (!need(4)) return {};
        const std::uint32_t n = get_u32(in_);
        in_.remove_prefix(4);
        if (!need(n)) return {};
        std::string s(in_.substr(0, n));
        in_.remove_prefix(n);
        return s;
    }
    TimePoint time() {
        if (!need(8)) return {};
        const auto us = static_cast<std::int64_t>(get_u64(in_));
        in_.remove_prefix(8);
        return TimePoint(
            std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(us)));
    }
    bool boolean() {
        const std::uint8_t b = byte();
        if (b > 1) ok_ = false;
        return b == 1;
    }

  private:
    bool need(size_t n) {
        if (in_.size() < n) ok_ = false;
        return ok_;
    }
    std::string_view in_;
    bool ok_ = true;
};

}  // namespace

std::uint32_t crc32(std::string_view data, std::uint32_t crc) {
    crc = ~crc;
    for (const char ch : data)
        crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

void append_record(std::string& out, std::string_view payload) {
    std::string length;
    put_u32(length, static_cast<std::uint32_t>(payload.size()));
    const std::uint32_t crc = crc32(payload, crc32(length));
    out.append(length);
    put_u32(out, crc);
    out.append(payload);
}

ParsedRecord parse_record(std::string_view buffer) {
    ParsedRecord r;
    if (buffer.size() < 4) return r;
    const std::uint32_t length = get_u32(buffer);
    // Zero-length records are never written; a run of zero bytes (a file
    // extended but not written before a crash) must not parse as one.
    if (length == 0 || length > kMaxPayloadBytes) {
        r.status = ParseStatus::Corrupt;
        return r;
    }
    if (buffer.size() < kRecordHeaderBytes + length) return r;
    const std::uint32_t stored = get_u32(buffer.substr(4));
    const std::string_view payload = buffer.substr(kRecordHeaderBytes, length);
    if (crc32(payload, crc32(buffer.substr(0, 4))) != stored) {
        r.status = ParseStatus::Corrupt;
        return r;
    }
    r.status = ParseStatus::Ok;
    r.payload = payload;
    r.size = kRecordHeaderBytes + length;
    return r;
}

std::string encode_event(const LogEvent& event) {
    std::string out;
    out.push_back(static_cast<char>(kFormatVersion));
    if (const auto* a = std::get_if<ActivityEvent>(&event)) {
        out.push_back(kKindActivity);
        put_string(out, a->event_id);
        put_string(out, a->mailbox_address);
        put_string(out, a->direction);
        put_time(out, a->occurred_at);
        put_string(out, a->message_id);
        put_string(out, a->sender);
        put_string(out, a->recipients);
        put_string(out, a->subject);
        out.push_back(a->in_to_header ? 1 : 0);
    } else {
        const auto& g = std::get<AgentActionEvent>(event);
        out.push_back(g.folder.empty() ? kKindAgentAction : kKindAgentActionFolder);
        put_string(out, g.event_id);
        put_string(out, g.mailbox_address);
        put_string(out, g.login);
        put_string(out, g.action);
        put_time(out, g.occurred_at);
        put_string(out, g.message_id);
        if (!g.folder.empty()) put_string(out, g.folder);
    }
    return out;
}

std::optional<LogEvent> decode_event(std::string_view payload) {
    Reader in(payload);
    if (in.byte() != kFormatVersion) return std::nullopt;
    const std::uint8_t kind = in.byte();
    LogEvent event;
    if (kind == kKindActivity) {
        ActivityEvent a;
        a.event_id = in.string();
        a.mailbox_address = in.string();
        a.direction = in.string();
        a.occurred_at = in.time();
        a.message_id = in.string();
        a.sender = in.string();
        a.recipients = in.string();
        a.subject = in.string();
        a.in_to_header = in.boolean();
        event = std::move(a);
    } else if (kind == kKindAgentAction || kind == kKindAgentActionFolder) {
        AgentActionEvent g;
        g.event_id = in.string();
        g.mailbox_address = in.string();
        g.login = in.string();
        g.action = in.string();
        g.occurred_at = in.time();
        g.message_id = in.string();
        if (kind == kKindAgentActionFolder) g.folder = in.string();
        event = std::move(g);
    } else {
        return std::nullopt;
    }
    if (!in.ok() || !in.at_end()) return std::nullopt;
    return event;
}

const std::string& event_id_of(const LogEvent& event) {
    return std::visit([](const auto& e) -> const std::string& { return e.event_id; }, event);
}

}  // namespace boxwarden::policyd::spool
