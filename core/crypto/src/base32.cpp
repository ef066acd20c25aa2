#include "boxwarden/base32.h"

#include <cstdint>

namespace boxwarden {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int value_of(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}

}  // namespace

std::string base32_encode(std::string_view bytes, bool pad) {
    std::string out;
    out.reserve((bytes.size() + 4) / 5 * 8);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out += kAlphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
        buffer &= (1u << bits) - 1;
    }
    if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
    if (pad)
        while (out.size() % 8 != 0) out += '=';
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    // Padding: only at the end, and only to complete a group of 8.
    size_t data_chars = text.size();
    while (data_chars > 0 && text[data_chars - 1] == '=') --data_chars;
    if (data_chars < text.size() && text.size() % 8 != 0) return std::nullopt;
    // A final group holds 2, 4, 5 or 7 characters (1-4 bytes); never 1, 3 or 6.
    const size_t tail = data_chars % 8;
    if (tail == 1 || tail == 3 || tail == 6) return std::nullopt;
    if (data_chars < text.size() && text.size() - data_chars >= 8) return std::nullopt;

    std::string out;
    out.reserve(data_chars * 5 / 8);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < data_chars; ++i) {
        const int v = value_of(text[i]);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
        buffer &= (1u << bits) - 1;
    }
    // The bits left over must be zero (one spelling per value).
    if (buffer != 0) return std::nullopt;
    return out;
}

}  // namespace boxwarden
