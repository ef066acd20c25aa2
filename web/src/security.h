#pragma once
// Secrets of the page: random tokens from the CSPRNG (libsodium), SHA-256 of
// session ids, constant-time comparison of CSRF tokens, and the security
// headers every answer carries.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxwarden::web {

// `bytes` random bytes as lower-case hex (2 * bytes characters).
std::string random_token(size_t bytes = 32);
// SHA-256 of text, raw 32 bytes.
std::string sha256(std::string_view text);
// Equal length and equal bytes, in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Content-Security-Policy (no inline script or style, no framing), X-Frame-Options,
// Referrer-Policy, X-Content-Type-Options, Permissions-Policy.
const std::vector<std::pair<std::string, std::string>>& security_headers();

// Set-Cookie value for the session cookie; max_age_seconds < 0 expires it.
std::string session_cookie(const std::string& name, const std::string& value, bool secure,
                           long max_age_seconds);

}  // namespace boxwarden::web
