#pragma once
// The "show password" copy in mailbox.password_enc: sealed with the key file,
// the mailbox address as associated data. It travels as hex (HEX()/UNHEX())
// so binary bytes never pass through the connection's character set.
#include <string>

namespace boxwarden::cli {

class Context;

std::string to_hex(const std::string& bytes);
std::string from_hex(const std::string& hex);  // pairs of hex digits

// Opens HEX(password_enc) of `address` with secret_key_file. Throws ToolError
// (key missing/unusable, or the value does not open: wrong key, or copied
// from another row) — never returns unauthenticated bytes.
std::string open_stored_password(Context& ctx, const std::string& address,
                                 const std::string& hex_sealed);

}  // namespace boxwarden::cli
