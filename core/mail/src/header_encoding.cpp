#include "boxwarden/header_encoding.h"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "boxwarden/binary_text.h"

namespace boxwarden {

namespace {

bool is_control(char32_t c) {
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

bool is_bidi_control(char32_t c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool is_space_like(char32_t c) {
    return c == ' ' || c == '\t' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Shared by display names and unstructured values; see sanitize_display_name().
std::string sanitize(std::string_view text, std::size_t max_bytes) {
    std::string out;
    bool pending_space = false;
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Step step = decode_utf8_at(text, pos);
        pos += step.length;
        const char32_t c = step.code_point;
        if (is_space_like(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (is_control(c) || is_bidi_control(c)) continue;
        std::string encoded;
        if (pending_space) encoded += ' ';
        append_utf8(encoded, c);
        if (out.size() + encoded.size() > max_bytes) break;
        out += encoded;
        pending_space = false;
    }
    return out;
}

bool is_printable_ascii(std::string_view text) {
    for (const char ch : text) {
        if (ch < 0x20 || ch > 0x7E) return false;
    }
    return true;
}

bool is_rfc5322_special(char ch) {
    return std::string_view("()<>[]:;@\\,.\"").find(ch) != std::string_view::npos;
}

void require_header_name(std::string_view name) {
    if (name.empty()) throw std::invalid_argument("header name is empty");
    for (const char ch : name) {
        if (ch < 33 || ch > 126 || ch == ':') {
            throw std::invalid_argument("header name contains a character not allowed there");
        }
    }
}

std::string make_encoded_word(std::string_view utf8) {
    return "=?UTF-8?B?" + to_base64(utf8) + "?=";
}

// Payload bytes that fit an encoded-word of at most `room` characters.
std::size_t payload_for_room(std::size_t room) {
    constexpr std::size_t kOverhead = 12;  // "=?UTF-8?B?" + "?="
    if (room > kMaxEncodedWordLength) room = kMaxEncodedWordLength;
    if (room <= kOverhead) return 0;
    return (room - kOverhead) / 4 * 3;
}

// UTF-8 text as encoded-words: the first fits the line that is at
// `first_column` (or starts a continuation line if nothing fits), the others
// go one per continuation line. Returns the folded text and the end column.
std::pair<std::string, std::size_t> encode_words_folded(std::string_view text,
                                                        std::size_t first_column) {
    std::string out;
    std::size_t column = first_column;
    std::size_t pos = 0;
    bool first = true;
    const auto room = [&] {
        return column < kMaxHeaderLineLength ? kMaxHeaderLineLength - column : 0;
    };
    while (pos < text.size()) {
        std::size_t budget = payload_for_room(room());
        if (!first || budget < decode_utf8_at(text, pos).length) {
            out += "\n ";
            column = 1;
            budget = payload_for_room(room());
        }
        std::size_t end = pos;
        while (end < text.size()) {
            const std::size_t length = decode_utf8_at(text, end).length;
            if (end + length - pos > budget) break;
            end += length;
        }
        // Split before a space when there is one: decoders that wrongly keep
        // the folding whitespace between words then show a double space
        // rather than a space inside a word.
        if (end < text.size() && text[end] != ' ') {
            const std::size_t space = text.rfind(' ', end - 1);
            if (space != std::string_view::npos && space > pos) end = space;
        }
        const std::string word = make_encoded_word(text.substr(pos, end - pos));
        out += word;
        column += word.size();
        pos = end;
        first = false;
    }
    return {out, column};
}

// Greedy folding of space-separated words; nullopt if one of the first
// `must_fit_count` words cannot fit within 78 columns.
std::optional<std::string> fold_words(const std::vector<std::string>& words,
                                      std::size_t first_column, std::size_t must_fit_count) {
    std::string out;
    std::size_t column = first_column;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (i > 0) {
            if (column + 1 + word.size() <= kMaxHeaderLineLength) {
                out += ' ';
                column += 1;
            } else {
                out += "\n ";
                column = 1;
            }
        }
        out += word;
        column += word.size();
        if (column > kMaxHeaderLineLength && i < must_fit_count) return std::nullopt;
    }
    return out;
}

std::vector<std::string> split_spaces(std::string_view text) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t space = text.find(' ', start);
        words.emplace_back(text.substr(start, space - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    return words;
}

std::string quote_phrase(std::string_view name) {
    std::string out = "\"";
    for (const char ch : name) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    out += '"';
    return out;
}

}  // namespace

std::string sanitize_display_name(std::string_view name) {
    return sanitize(name, kMaxDisplayNameBytes);
}

std::string format_address_header(std::string_view display_name, std::string_view address,
                                  std::string_view header_name) {
    require_header_name(header_name);
    if (!is_valid_address_syntax(address)) {
        throw std::invalid_argument("not a valid mail address: " + to_valid_utf8(address));
    }
    // Appended piecewise: g++ 12 -O3 misreads `"<" + std::string(...)` as
    // an overlapping memcpy (a known g++ 12 -Wrestrict false positive).
    std::string angle;
    angle.reserve(address.size() + 2);
    angle.append(1, '<').append(address).append(1, '>');
    const std::string name = sanitize_display_name(display_name);
    if (name.empty()) return angle;
    const std::size_t first_column = header_name.size() + 2;  // "From: "

    const bool plain = is_printable_ascii(name) && name.find("=?") == std::string::npos;
    if (plain) {
        bool special = false;
        for (const char ch : name) special = special || is_rfc5322_special(ch);
        std::vector<std::string> words = split_spaces(special ? quote_phrase(name) : name);
        const std::size_t phrase_words = words.size();
        words.push_back(angle);
        if (auto folded = fold_words(words, first_column, phrase_words)) return *folded;
    }
    auto [out, column] = encode_words_folded(name, first_column);
    if (column + 1 + angle.size() <= kMaxHeaderLineLength) {
        out += ' ';
    } else {
        out += "\n ";
    }
    out += angle;
    return out;
}

std::string encode_unstructured_header(std::string_view name, std::string_view utf8_value) {
    require_header_name(name);
    const std::string value = sanitize(utf8_value, kMaxUnstructuredBytes);
    const std::string prefix = std::string(name) + ": ";
    if (value.empty()) return prefix;
    const std::size_t first_column = prefix.size();
    if (is_printable_ascii(value) && value.find("=?") == std::string::npos) {
        const std::vector<std::string> words = split_spaces(value);
        if (auto folded = fold_words(words, first_column, words.size())) return prefix + *folded;
    }
    return prefix + encode_words_folded(value, first_column).first;
}

}  // namespace boxwarden
