#include "boxwarden/recovery_code.h"

#include <sodium.h>

#include <stdexcept>

#include "boxwarden/base32.h"

namespace boxwarden {

namespace {

void need_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

std::string new_recovery_code() {
    need_sodium();
    std::string raw(16, '\0');
    randombytes_buf(raw.data(), raw.size());
    // 16 bytes give 26 characters; the first 25 are 125 uniformly random bits.
    const std::string chars = base32_encode(raw, false).substr(0, kRecoveryCodeChars);
    std::string out;
    for (size_t i = 0; i < chars.size(); ++i) {
        if (i > 0 && i % 5 == 0) out += '-';
        const char c = chars[i];
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

std::optional<std::string> normalize_recovery_code(std::string_view typed) {
    std::string out;
    for (char c : typed) {
        if (c == '-' || c == ' ' || c == '\t') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return std::nullopt;
        out += c;
        if (out.size() > kRecoveryCodeChars) return std::nullopt;
    }
    if (out.size() != kRecoveryCodeChars) return std::nullopt;
    return out;
}

std::string recovery_code_hash(std::string_view canonical) {
    need_sodium();
    std::string out(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                       reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
    return out;
}

}  // namespace boxwarden
