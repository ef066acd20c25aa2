// Base32 (RFC 4648 section 6, alphabet A-Z 2-7), the encoding authenticator
// apps expect for a TOTP secret.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxwarden {

// Upper-case base32; with '=' padding to a multiple of 8 characters unless
// `pad` is false (otpauth:// URIs carry the secret without padding).
std::string base32_encode(std::string_view bytes, bool pad = true);

// Base32 of either case; '=' padding optional, but when present only at the
// end and of the right length. nullopt for any other character, an
// impossible length, or set bits after the last whole byte.
std::optional<std::string> base32_decode(std::string_view text);

}  // namespace boxwarden
