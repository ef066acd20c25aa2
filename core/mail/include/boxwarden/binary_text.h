// Binary data as text: hex and base64 (RFC 4648, standard alphabet), all
// through libsodium's constant-time codecs. The decoders refuse bad input
// (nullopt) instead of guessing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxwarden {

// Lower-case hex, two digits a byte.
std::string to_hex(std::string_view bytes);

// Hex of either case; nullopt for an odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view hex);

// One byte from two hex digits of either case, or nullopt.
std::optional<unsigned char> decode_hex_pair(char high, char low);

// Base64 with '=' padding.
std::string to_base64(std::string_view bytes);

// Base64 in the standard alphabet; '=' padding optional but only at the end;
// nullopt for any other character, an impossible length or set trailing bits.
std::optional<std::string> from_base64(std::string_view text);

}  // namespace boxwarden
