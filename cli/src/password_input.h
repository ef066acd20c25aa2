#pragma once
// Passwords typed by an admin: read from stdin (never from argv), checked
// with the strength rule.
#include <string>

#include "boxwarden/password.h"

namespace boxwarden::cli {

class Context;

// On a terminal: asks twice without echo. Otherwise: the whole of stdin
// minus one trailing line end. Throws Refusal naming the strength rule.
std::string read_new_password(Context& ctx);

// Strips exactly one trailing "\n" or "\r\n" (pure; unit tested).
std::string strip_one_line_end(std::string text);

// password_scheme from the configuration: ARGON2ID or SHA512-CRYPT.
PasswordScheme configured_scheme(Context& ctx);

}  // namespace boxwarden::cli
