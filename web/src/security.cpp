#include "security.h"

#include <sodium.h>

#include <stdexcept>

namespace boxwarden::web {

namespace {

void need_sodium() {
    static const int ok = sodium_init();
    if (ok < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

std::string random_token(size_t bytes) {
    need_sodium();
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string hex(bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                   raw.size());
    hex.pop_back();
    return hex;
}

std::string sha256(std::string_view text) {
    need_sodium();
    std::string out(crypto_hash_sha256_BYTES, '\0');
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size());
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    need_sodium();
    if (a.size() != b.size() || a.empty()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

const std::vector<std::pair<std::string, std::string>>& security_headers() {
    static const std::vector<std::pair<std::string, std::string>> h{
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
         "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "same-origin"},
        {"X-Content-Type-Options", "nosniff"},
        {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
    };
    return h;
}

std::string session_cookie(const std::string& name, const std::string& value, bool secure,
                           long max_age_seconds) {
    std::string c = name;
    c += '=';
    c += value;
    c += "; Path=/; HttpOnly; SameSite=Strict";
    if (secure) c += "; Secure";
    if (max_age_seconds < 0) c += "; Max-Age=0";
    return c;
}

}  // namespace boxwarden::web
