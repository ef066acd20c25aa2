#include "boxwarden/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <stdexcept>

namespace boxwarden {

namespace {

std::uint32_t power_of_ten(int digits) {
    std::uint32_t p = 1;
    for (int i = 0; i < digits; ++i) p *= 10;
    return p;
}

// RFC 3986 unreserved characters stay, everything else is %XX.
std::string percent_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace

std::string hotp_code(std::string_view secret, std::uint64_t counter, int digits) {
    if (digits < 6 || digits > 8) throw std::invalid_argument("HOTP digits must be 6, 7 or 8");
    unsigned char message[8];
    for (int i = 7; i >= 0; --i) {
        message[i] = static_cast<unsigned char>(counter & 0xff);
        counter >>= 8;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message, sizeof message,
              mac, &mac_len) ||
        mac_len != 20)
        throw std::runtime_error("HMAC-SHA1 failed");
    // Dynamic truncation (RFC 4226 section 5.3).
    const int offset = mac[19] & 0x0f;
    const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                                 (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                                 (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                                 static_cast<std::uint32_t>(mac[offset + 3]);
    std::string code = std::to_string(binary % power_of_ten(digits));
    code.insert(0, static_cast<size_t>(digits) - code.size(), '0');
    return code;
}

std::int64_t totp_step(std::int64_t unix_seconds, std::int64_t step_seconds) {
    // Floor division, so a time before 1970 does not share step 0.
    std::int64_t q = unix_seconds / step_seconds;
    if (unix_seconds % step_seconds != 0 && unix_seconds < 0) --q;
    return q;
}

std::string totp_code(std::string_view secret, std::int64_t unix_seconds,
                      const TotpParams& params) {
    const std::int64_t step = totp_step(unix_seconds, params.step_seconds);
    if (step < 0) throw std::invalid_argument("TOTP time before 1970");
    return hotp_code(secret, static_cast<std::uint64_t>(step), params.digits);
}

TotpVerdict verify_totp(std::string_view secret, std::string_view code, std::int64_t unix_seconds,
                        std::optional<std::int64_t> last_used_step, const TotpParams& params) {
    if (code.size() != static_cast<size_t>(params.digits)) return {TotpOutcome::Malformed, 0};
    for (char c : code)
        if (c < '0' || c > '9') return {TotpOutcome::Malformed, 0};
    const std::int64_t now = totp_step(unix_seconds, params.step_seconds);
    std::optional<std::int64_t> usable, replayed;
    for (std::int64_t s = now - params.skew_steps; s <= now + params.skew_steps; ++s) {
        if (s < 0) continue;
        const std::string expected =
            hotp_code(secret, static_cast<std::uint64_t>(s), params.digits);
        if (CRYPTO_memcmp(expected.data(), code.data(), code.size()) != 0) continue;
        if (last_used_step && s <= *last_used_step) {
            if (!replayed) replayed = s;
        } else if (!usable) {
            usable = s;
        }
    }
    if (usable) return {TotpOutcome::Accepted, *usable};
    if (replayed) return {TotpOutcome::Replayed, *replayed};
    return {TotpOutcome::Wrong, 0};
}

std::string totp_otpauth_uri(std::string_view issuer, std::string_view account,
                             std::string_view secret_base32, const TotpParams& params) {
    std::string uri = "otpauth://totp/";
    uri += percent_encode(issuer);
    uri += ':';
    uri += percent_encode(account);
    uri += "?secret=";
    uri += secret_base32;
    uri += "&issuer=";
    uri += percent_encode(issuer);
    uri += "&algorithm=SHA1&digits=";
    uri += std::to_string(params.digits);
    uri += "&period=";
    uri += std::to_string(params.step_seconds);
    return uri;
}

std::string new_totp_secret() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    std::string secret(20, '\0');
    randombytes_buf(secret.data(), secret.size());
    return secret;
}

}  // namespace boxwarden
