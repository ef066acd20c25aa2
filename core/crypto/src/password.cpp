#include "boxwarden/password.h"

#include <crypt.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "boxwarden/mail_header.h"

namespace boxwarden {

namespace {

constexpr std::string_view kArgon2idPrefix = "{ARGON2ID}";
constexpr std::string_view kSha512CryptPrefix = "{SHA512-CRYPT}";

// Dovecot 2.3.19's own `doveadm pw -s ARGON2ID` uses t=3, m=64 MiB, p=1. 64 MiB
// also stays well inside the auth-worker's default vsz_limit (256 MiB).
constexpr unsigned long long kArgon2idOpslimit = 3;
constexpr std::size_t kArgon2idMemlimit = 64u * 1024u * 1024u;

constexpr std::string_view kLower = "abcdefghijkmnpqrstuvwxyz";  // no l, o
constexpr std::string_view kUpper = "ABCDEFGHJKLMNPQRSTUVWXYZ";  // no I, O
constexpr std::string_view kDigits = "23456789";                 // no 0, 1
constexpr std::string_view kSymbols = "#%+-=?_";  // no quotes, no shell or URL trouble

constexpr std::string_view kCryptSaltAlphabet =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void ensure_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}

char random_char(std::string_view alphabet) {
    return alphabet[randombytes_uniform(static_cast<uint32_t>(alphabet.size()))];
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        auto a = static_cast<unsigned char>(text[i]);
        auto b = static_cast<unsigned char>(prefix[i]);
        if (a >= 'a' && a <= 'z') a = static_cast<unsigned char>(a - 'a' + 'A');
        if (a != b) return false;
    }
    return true;
}

// crypt_data is ~32 KiB: keep it off the stack and wipe it afterwards.
struct CryptBuffer {
    std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();
    CryptBuffer() { std::memset(data.get(), 0, sizeof(crypt_data)); }
    ~CryptBuffer() { sodium_memzero(data.get(), sizeof(crypt_data)); }
    CryptBuffer(const CryptBuffer&) = delete;
    CryptBuffer& operator=(const CryptBuffer&) = delete;
};

std::string hash_argon2id(const std::string& password) {
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), kArgon2idOpslimit,
                              kArgon2idMemlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw std::runtime_error("argon2id hashing failed (out of memory?)");
    }
    return std::string(kArgon2idPrefix) + out.data();
}

std::string hash_sha512_crypt(const std::string& password) {
    std::string setting = "$6$";
    for (int i = 0; i < 16; ++i) setting += random_char(kCryptSaltAlphabet);
    CryptBuffer buffer;
    const char* result = crypt_r(password.c_str(), setting.c_str(), buffer.data.get());
    // libxcrypt signals failure with NULL or a string starting with '*'.
    if (result == nullptr || std::string_view(result).substr(0, 3) != "$6$") {
        throw std::runtime_error("SHA512-CRYPT hashing failed");
    }
    return std::string(kSha512CryptPrefix) + result;
}

bool verify_argon2id(const std::string& password, std::string_view encoded) {
    if (!encoded.starts_with("$argon2id$")) return false;
    if (encoded.size() >= crypto_pwhash_STRBYTES) return false;
    const std::string hash(encoded);
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool verify_sha512_crypt(const std::string& password, std::string_view encoded) {
    if (!encoded.starts_with("$6$")) return false;
    const std::string hash(encoded);
    CryptBuffer buffer;
    const char* result = crypt_r(password.c_str(), hash.c_str(), buffer.data.get());
    if (result == nullptr) return false;
    const std::string_view computed(result);
    if (computed.size() != hash.size() || computed.starts_with("*")) return false;
    return sodium_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

}  // namespace

std::string generate_password(std::size_t length) {
    if (length < kMinGeneratedPasswordLength || length > kMaxGeneratedPasswordLength) {
        throw std::invalid_argument("generated password length must be between " +
                                    std::to_string(kMinGeneratedPasswordLength) + " and " +
                                    std::to_string(kMaxGeneratedPasswordLength));
    }
    ensure_sodium();
    const std::string all =
        std::string(kLower) + std::string(kUpper) + std::string(kDigits) + std::string(kSymbols);
    std::string password;
    password.reserve(length);
    // One of each class first, then shuffle them into random positions.
    password += random_char(kLower);
    password += random_char(kUpper);
    password += random_char(kDigits);
    password += random_char(kSymbols);
    while (password.size() < length) password += random_char(all);
    for (std::size_t i = password.size() - 1; i > 0; --i) {
        const auto j = randombytes_uniform(static_cast<uint32_t>(i + 1));
        std::swap(password[i], password[j]);
    }
    // A leading '-' or '+' makes command-line tools (swaks, getopt-style
    // parsers) read the pasted password as an option: start with a letter or
    // digit, swapped in from a random later position.
    if (std::string_view(kSymbols).find(password[0]) != std::string_view::npos) {
        std::vector<std::size_t> alnum;
        for (std::size_t i = 1; i < password.size(); ++i)
            if (std::string_view(kSymbols).find(password[i]) == std::string_view::npos)
                alnum.push_back(i);
        const auto k = randombytes_uniform(static_cast<uint32_t>(alnum.size()));
        std::swap(password[0], password[alnum[k]]);
    }
    return password;
}

std::string hash_password(std::string_view password, PasswordScheme scheme) {
    if (password.find('\0') != std::string_view::npos) {
        throw std::invalid_argument("password must not contain NUL");
    }
    ensure_sodium();
    std::string copy(password);
    std::string result;
    try {
        result = scheme == PasswordScheme::Argon2id ? hash_argon2id(copy) : hash_sha512_crypt(copy);
    } catch (...) {
        sodium_memzero(copy.data(), copy.size());
        throw;
    }
    sodium_memzero(copy.data(), copy.size());
    return result;
}

bool verify_password(std::string_view password, std::string_view stored) {
    if (password.find('\0') != std::string_view::npos) return false;
    if (sodium_init() < 0) return false;
    std::string copy(password);
    bool ok = false;
    if (starts_with_icase(stored, kArgon2idPrefix)) {
        ok = verify_argon2id(copy, stored.substr(kArgon2idPrefix.size()));
    } else if (starts_with_icase(stored, kSha512CryptPrefix)) {
        ok = verify_sha512_crypt(copy, stored.substr(kSha512CryptPrefix.size()));
    }
    sodium_memzero(copy.data(), copy.size());
    return ok;
}

PasswordStrength check_password_strength(std::string_view password) {
    std::size_t characters = 0;
    bool lower = false, upper = false, digit = false, other = false;
    for (std::size_t pos = 0; pos < password.size();) {
        const Utf8Step step = decode_utf8_at(password, pos);
        if (!step.valid) return PasswordStrength::InvalidUtf8;
        pos += step.length;
    }
    for (std::size_t pos = 0; pos < password.size();) {
        const Utf8Step step = decode_utf8_at(password, pos);
        pos += step.length;
        const char32_t c = step.code_point;
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
            return PasswordStrength::ControlCharacter;
        }
        ++characters;
        if (c >= 'a' && c <= 'z') {
            lower = true;
        } else if (c >= 'A' && c <= 'Z') {
            upper = true;
        } else if (c >= '0' && c <= '9') {
            digit = true;
        } else {
            other = true;
        }
    }
    if (password.size() > kMaxPasswordBytes) return PasswordStrength::TooLong;
    if (characters < kMinPasswordCharacters) return PasswordStrength::TooShort;
    const int classes = int(lower) + int(upper) + int(digit) + int(other);
    if (classes < kMinPasswordCharacterClasses) return PasswordStrength::TooFewCharacterClasses;
    return PasswordStrength::Ok;
}

std::string_view password_strength_message(PasswordStrength strength) {
    switch (strength) {
        case PasswordStrength::Ok:
            return "password is acceptable";
        case PasswordStrength::InvalidUtf8:
            return "password is not valid UTF-8";
        case PasswordStrength::ControlCharacter:
            return "password contains a control character (line break, tab, NUL or similar)";
        case PasswordStrength::TooLong:
            return "password is too long: at most 128 bytes (UTF-8) are allowed";
        case PasswordStrength::TooShort:
            return "password is too short: at least 12 characters are required";
        case PasswordStrength::TooFewCharacterClasses:
            return "password needs characters from at least 3 of 4 classes: lowercase letters, "
                   "uppercase letters, digits, other characters";
    }
    return "unknown password strength verdict";
}

}  // namespace boxwarden
