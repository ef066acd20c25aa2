// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1 via
// OpenSSL): the code of a secret at a time, and the verdict on a typed code
// given the last time step already used. Pure: the time and the last used
// step come in, the verdict (and the step to store) goes out; the caller
// stores the step atomically, so a used code never works twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boxwarden {

struct TotpParams {
    int digits = 6;                  // 6..8 (RFC 4226 truncation, value mod 10^digits)
    std::int64_t step_seconds = 30;  // X of RFC 6238
    int skew_steps = 1;              // also accept this many steps before and after now
};

// RFC 4226 HOTP: the `digits`-digit code (zero-padded) of `counter`.
// std::invalid_argument for digits outside 6..8.
std::string hotp_code(std::string_view secret, std::uint64_t counter, int digits = 6);

// The time step of a Unix time: floor(unix_seconds / step_seconds) (T0 = 0).
std::int64_t totp_step(std::int64_t unix_seconds, std::int64_t step_seconds = 30);

// The code of `secret` at `unix_seconds`.
std::string totp_code(std::string_view secret, std::int64_t unix_seconds,
                      const TotpParams& params = {});

enum class TotpOutcome {
    Accepted,   // matches an unused step within the skew: store `step`
    Replayed,   // matches, but that step is at or before the last used one
    Wrong,      // matches no step within the skew
    Malformed,  // not exactly `digits` ASCII digits
};

struct TotpVerdict {
    TotpOutcome outcome = TotpOutcome::Wrong;
    std::int64_t step = 0;  // the matched step (Accepted, Replayed)
};

// Compares `code` with the codes of the steps now - skew .. now + skew (all
// of them, in constant time each). A step is usable only when it is later
// than `last_used_step`; of several matches the earliest usable one wins.
TotpVerdict verify_totp(std::string_view secret, std::string_view code, std::int64_t unix_seconds,
                        std::optional<std::int64_t> last_used_step, const TotpParams& params = {});

// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// (Google Authenticator's Key URI Format; label and issuer percent-encoded).
std::string totp_otpauth_uri(std::string_view issuer, std::string_view account,
                             std::string_view secret_base32, const TotpParams& params = {});

// 20 random bytes (160 bits, RFC 4226's recommended length) from libsodium.
std::string new_totp_secret();

}  // namespace boxwarden
