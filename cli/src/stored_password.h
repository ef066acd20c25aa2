#pragma once
// The "show password" copy in mailbox.password_enc: sealed with the key file,
// the mailbox address as associated data. It travels as hex (HEX()/UNHEX())
// so binary bytes never pass through the connection's character set.
#include <string>

namespace boxwarden::cli {

class Context;

// Upper-case hex (as MySQL's HEX()), via libsodium.
std::string to_hex(const std::string& bytes);
// Pairs of hex digits of either case; throws std::invalid_argument for an
// odd length or a non-hex digit (never guesses a byte).
std::string from_hex(const std::string& hex);

// Opens HEX(password_enc) of `address` with secret_key_file. Throws ToolError
// (key missing/unusable, or the value does not open: wrong key, or copied
// from another row) — never returns unauthenticated bytes.
std::string open_stored_password(Context& ctx, const std::string& address,
                                 const std::string& hex_sealed);

}  // namespace boxwarden::cli
