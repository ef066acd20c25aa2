// Recovery codes of the web page's second factor: single-use, 125 random
// bits each, shown once as five groups of five base32 characters
// ("k7qpx-3mzra-..."). Only their SHA-256 is stored: with 125 random bits a
// slow hash adds nothing (nobody can try 2^124 guesses against a copy).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxwarden {

inline constexpr size_t kRecoveryCodeChars = 25;  // base32 characters (5 bits each)

// A fresh code from libsodium's CSPRNG, formatted for people.
std::string new_recovery_code();

// The canonical form of a typed code (25 upper-case base32 characters):
// case, blanks and '-' do not matter. nullopt when it cannot be a code.
std::optional<std::string> normalize_recovery_code(std::string_view typed);

// SHA-256 of the canonical form, raw 32 bytes (the stored value).
std::string recovery_code_hash(std::string_view canonical);

}  // namespace boxwarden
