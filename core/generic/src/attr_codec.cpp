#include "boxwarden/attr_codec.h"

#include <stdexcept>

namespace boxwarden {

namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";
constexpr std::string_view kTruncatedMarker = "…(truncated)";

bool needs_escape(unsigned char c) {
    return c < 0x20 || c == 0x7F || c == '%';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::optional<std::string> unescape(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (in.size() - i < 3) return std::nullopt;
        int hi = hex_value(in[i + 1]);
        int lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

// Valid code points that could still mislead a reader of a log: C1 controls
// (some terminals act on them), line/paragraph separators, bidi controls.
bool is_invisible_control(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string_view to_string(AttrError error) {
    switch (error) {
        case AttrError::MissingEquals:
            return "line without '='";
        case AttrError::EmptyName:
            return "empty attribute name";
        case AttrError::LineTooLong:
            return "line too long";
        case AttrError::TooManyAttributes:
            return "too many attributes";
        case AttrError::RequestTooLarge:
            return "request too large";
        case AttrError::NulByte:
            return "NUL byte";
        case AttrError::BadEscape:
            return "bad %-escape";
    }
    return "unknown attribute error";
}

std::optional<std::string_view> AttrRequest::find(std::string_view name) const {
    for (const auto& [n, v] : attributes) {
        if (n == name) return std::string_view(v);
    }
    return std::nullopt;
}

AttrRequestParser::AttrRequestParser(AttrEncoding encoding, AttrLimits limits)
    : encoding_(encoding), limits_(limits) {}

void AttrRequestParser::feed(std::string_view bytes) {
    // One pass, one byte at a time: each byte is looked at once whatever the
    // chunking, and line_ never grows past max_line_bytes + 1.
    for (const char c : bytes) {
        if (error_) return;
        if (c == '\0') return fail(AttrError::NulByte);
        if (++request_bytes_ > limits_.max_request_bytes) return fail(AttrError::RequestTooLarge);
        if (c == '\n') {
            end_line();
            continue;
        }
        // One byte of slack for a '\r' that the coming '\n' will strip.
        if (line_.size() > limits_.max_line_bytes ||
            (line_.size() == limits_.max_line_bytes && c != '\r')) {
            return fail(AttrError::LineTooLong);
        }
        line_.push_back(c);
    }
}

void AttrRequestParser::end_line() {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.empty()) {
        ready_.push_back(std::move(current_));
        current_ = AttrRequest{};
        request_bytes_ = 0;
        return;
    }
    const size_t eq = line_.find('=');
    if (eq == std::string::npos) return fail(AttrError::MissingEquals);
    if (eq == 0) return fail(AttrError::EmptyName);
    if (current_.attributes.size() >= limits_.max_attributes) {
        return fail(AttrError::TooManyAttributes);
    }
    std::string value;
    if (encoding_ == AttrEncoding::Escaped) {
        auto decoded = unescape(std::string_view(line_).substr(eq + 1));
        if (!decoded) return fail(AttrError::BadEscape);
        value = std::move(*decoded);
    } else {
        value = line_.substr(eq + 1);
    }
    current_.attributes.emplace_back(line_.substr(0, eq), std::move(value));
    line_.clear();
}

void AttrRequestParser::fail(AttrError error) {
    error_ = error;
    // The partial request is garbage now; free it.
    line_ = std::string();
    current_ = AttrRequest{};
}

std::optional<AttrRequest> AttrRequestParser::next() {
    if (ready_.empty()) return std::nullopt;
    AttrRequest request = std::move(ready_.front());
    ready_.pop_front();
    return request;
}

std::string encode_attributes(const AttrList& attributes, AttrEncoding encoding) {
    std::string out;
    for (const auto& [name, value] : attributes) {
        if (name.empty() || name.find_first_of(std::string_view("=\n\0", 3)) != std::string::npos) {
            throw std::invalid_argument("attribute name cannot be framed");
        }
        out += name;
        out.push_back('=');
        for (const char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if (encoding == AttrEncoding::Escaped && needs_escape(u)) {
                out.push_back('%');
                out.push_back(kHexUpper[u >> 4]);
                out.push_back(kHexUpper[u & 0x0F]);
            } else if (encoding == AttrEncoding::Raw && (c == '\r' || c == '\n' || c == '\0')) {
                out.push_back(' ');
            } else {
                out.push_back(c);
            }
        }
        out.push_back('\n');
    }
    out.push_back('\n');
    return out;
}

std::string sanitize_for_log(std::string_view text, size_t max_bytes) {
    std::string out;
    std::string piece;
    for (size_t pos = 0; pos < text.size();) {
        const Utf8Step ch = decode_utf8_at(text, pos);
        piece.clear();
        if (!ch.valid || ch.code_point < 0x20 || ch.code_point == 0x7F) {
            const auto b = static_cast<unsigned char>(text[pos]);
            piece = {'\\', 'x', kHexLower[b >> 4], kHexLower[b & 0x0F]};
        } else if (ch.code_point == '\\') {
            piece = "\\\\";
        } else if (is_invisible_control(ch.code_point)) {
            piece = "\\u{";
            for (int shift = 12; shift >= 0; shift -= 4) {
                piece.push_back(kHexLower[(ch.code_point >> shift) & 0x0F]);
            }
            piece.push_back('}');
        } else {
            piece = text.substr(pos, ch.length);
        }
        if (out.size() + piece.size() > max_bytes) {
            out += kTruncatedMarker;
            return out;
        }
        out += piece;
        pos += ch.valid ? ch.length : 1;
    }
    return out;
}

}  // namespace boxwarden
