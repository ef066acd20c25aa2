#include "boxwarden/log_sanitize.h"

#include "boxwarden/utf8.h"

namespace boxwarden {

namespace {

constexpr char kHexLower[] = "0123456789abcdef";
constexpr std::string_view kTruncatedMarker = "…(truncated)";

}  // namespace

bool is_invisible_control(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void append_sanitized_for_log(std::string& out, std::string_view text, std::size_t max_bytes) {
    const std::size_t start = out.size();
    char piece_buffer[12];
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Step ch = decode_utf8_at(text, pos);
        std::string_view piece;
        if (!ch.valid || ch.code_point < 0x20 || ch.code_point == 0x7F) {
            const auto b = static_cast<unsigned char>(text[pos]);
            piece_buffer[0] = '\\';
            piece_buffer[1] = 'x';
            piece_buffer[2] = kHexLower[b >> 4];
            piece_buffer[3] = kHexLower[b & 0x0F];
            piece = std::string_view(piece_buffer, 4);
        } else if (ch.code_point == '\\') {
            piece = "\\\\";
        } else if (is_invisible_control(ch.code_point)) {
            std::size_t n = 0;
            for (const char c : std::string_view("\\u{")) piece_buffer[n++] = c;
            for (int shift = 12; shift >= 0; shift -= 4) {
                piece_buffer[n++] = kHexLower[(ch.code_point >> shift) & 0x0F];
            }
            piece_buffer[n++] = '}';
            piece = std::string_view(piece_buffer, n);
        } else {
            piece = text.substr(pos, ch.length);
        }
        if (out.size() - start + piece.size() > max_bytes) {
            out += kTruncatedMarker;
            return;
        }
        out += piece;
        pos += ch.valid ? ch.length : 1;
    }
}

std::string sanitize_for_log(std::string_view text, std::size_t max_bytes) {
    std::string out;
    append_sanitized_for_log(out, text, max_bytes);
    return out;
}

}  // namespace boxwarden
