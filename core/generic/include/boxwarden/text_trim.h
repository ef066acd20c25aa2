#pragma once
// Trimming, the one implementation: callers name the characters they treat
// as blank (a config line also drops CR, a header value also folds LF).
#include <string_view>

namespace boxwarden {

inline constexpr std::string_view kSpaceTab = " \t";
inline constexpr std::string_view kSpaceTabCr = " \t\r";
inline constexpr std::string_view kWhitespace = " \t\r\n";

// `s` without leading and trailing characters from `blanks`.
constexpr std::string_view trim(std::string_view s, std::string_view blanks = kSpaceTab) {
    const auto first = s.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

}  // namespace boxwarden
