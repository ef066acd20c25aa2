#pragma once
// Strict UTF-8 (Unicode table 3-7): no overlong forms, surrogates, code
// points above U+10FFFF or truncated sequences. One decoder for the codecs,
// the header encoders and the log sanitiser.
#include <cstddef>
#include <string>
#include <string_view>

namespace boxwarden {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Decoding step at `pos` (< text.size()). On invalid input `valid` is false,
// `code_point` is U+FFFD and `length` covers the maximal ill-formed subpart
// (at least 1 byte), as Unicode recommends.
struct Utf8Step {
    char32_t code_point;
    std::size_t length;
    bool valid;
};
Utf8Step decode_utf8_at(std::string_view text, std::size_t pos);

bool is_valid_utf8(std::string_view text);

// `text` with every ill-formed UTF-8 subpart replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

// Appends the UTF-8 encoding of code point c.
void append_utf8(std::string& out, char32_t c);

}  // namespace boxwarden
