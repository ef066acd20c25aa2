// Mailbox passwords: generation, Dovecot-compatible hashing, verification and
// the strength rule applied to passwords that an admin types in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace boxwarden {

// Schemes written to mailbox.password_hash. Both are verified by Dovecot 2.3's
// SQL passdb without any extra configuration.
enum class PasswordScheme {
    // {ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash> (libsodium):
    // the parameters `doveadm pw -s ARGON2ID` itself uses in Dovecot 2.3.
    Argon2id,
    // {SHA512-CRYPT}$6$<16-char salt>$<hash> (crypt(3), 5000 rounds).
    Sha512Crypt,
};

inline constexpr std::size_t kMinGeneratedPasswordLength = 20;
inline constexpr std::size_t kMaxGeneratedPasswordLength = 128;

// A random password from a CSPRNG over an alphabet without look-alikes
// (no 0 O o 1 l I): lowercase, uppercase, digits and the symbols "#%+-=?_",
// with at least one of each of those four classes, and a letter or digit
// first (a leading '-' or '+' is read as an option by swaks and others). Throws
// std::invalid_argument unless kMinGeneratedPasswordLength <= length <=
// kMaxGeneratedPasswordLength. The result always passes
// check_password_strength().
std::string generate_password(std::size_t length = kMinGeneratedPasswordLength);

// The password_hash value, scheme prefix included. Throws std::invalid_argument
// for a password containing NUL (Dovecot could never verify it) and
// std::runtime_error if the hashing library fails (e.g. out of memory).
std::string hash_password(std::string_view password, PasswordScheme scheme);

// True iff `stored` is an {ARGON2ID} or {SHA512-CRYPT} value (prefix matched
// case-insensitively, as Dovecot does) and `password` matches it. False for
// any other scheme, a malformed value, or a password containing NUL.
bool verify_password(std::string_view password, std::string_view stored);

// Strength rule for passwords chosen by a person (checked in this order):
//   1. valid UTF-8 (no overlong forms, surrogates or code points > U+10FFFF);
//   2. no control characters: U+0000-U+001F, U+007F, U+0080-U+009F;
//   3. at most 128 bytes (UTF-8 encoded);
//   4. at least 12 characters (Unicode code points);
//   5. at least 3 of 4 character classes: ASCII lowercase a-z, ASCII
//      uppercase A-Z, ASCII digits 0-9, everything else (ASCII punctuation,
//      space, any non-ASCII character).
// Spaces are allowed anywhere.
enum class PasswordStrength {
    Ok,
    InvalidUtf8,
    ControlCharacter,
    TooLong,
    TooShort,
    TooFewCharacterClasses,
};

inline constexpr std::size_t kMinPasswordCharacters = 12;
inline constexpr std::size_t kMaxPasswordBytes = 128;
inline constexpr int kMinPasswordCharacterClasses = 3;

PasswordStrength check_password_strength(std::string_view password);

// An English sentence for the admin, e.g. "password is too short: at least 12
// characters are required".
std::string_view password_strength_message(PasswordStrength strength);

}  // namespace boxwarden
