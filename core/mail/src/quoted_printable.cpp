#include "boxwarden/quoted_printable.h"

#include <string>

#include "boxwarden/binary_text.h"

namespace boxwarden {

namespace {

// RFC 2045 6.7 asks for upper-case hex in =XX (sodium_bin2hex writes lower).
constexpr std::string_view kHex = "0123456789ABCDEF";

}  // namespace

std::string encode_quoted_printable(std::string_view text) {
    std::string out;
    std::size_t line_start = 0;
    while (line_start <= text.size()) {
        const std::size_t newline = text.find('\n', line_start);
        const bool has_newline = newline != std::string_view::npos;
        const std::string_view line =
            text.substr(line_start, has_newline ? newline - line_start : std::string_view::npos);
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto b = static_cast<unsigned char>(line[i]);
            const bool last = i + 1 == line.size();
            const bool literal =
                ((b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !last));
            std::string token;
            if (literal) {
                token = static_cast<char>(b);
            } else {
                token = {'=', kHex[b >> 4], kHex[b & 15]};
            }
            // Room for the "=" of a soft break unless this ends the line.
            const std::size_t limit = last ? 76 : 75;
            if (column + token.size() > limit) {
                out += "=\n";
                column = 0;
            }
            if (column == 0 && token == ".") token = "=2E";
            out += token;
            column += token.size();
        }
        if (!has_newline) break;
        out += '\n';
        line_start = newline + 1;
    }
    return out;
}

std::string decode_quoted_printable(std::string_view encoded) {
    std::string out;
    std::size_t line_start = 0;
    while (line_start <= encoded.size()) {
        const std::size_t newline = encoded.find('\n', line_start);
        const bool has_newline = newline != std::string_view::npos;
        std::string_view line =
            encoded.substr(line_start, has_newline ? newline - line_start : std::string_view::npos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        bool soft_break = false;
        if (!line.empty() && line.back() == '=') {
            soft_break = true;
            line.remove_suffix(1);
        }
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '=' && i + 2 < line.size()) {
                if (const auto byte = decode_hex_pair(line[i + 1], line[i + 2])) {
                    out += static_cast<char>(*byte);
                    i += 2;
                    continue;
                }
            }
            out += line[i];
        }
        if (!has_newline) break;
        if (!soft_break) out += '\n';
        line_start = newline + 1;
    }
    return out;
}

}  // namespace boxwarden
