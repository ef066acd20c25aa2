// Header values that boxwarden writes (milter From display names,
// out-of-office replies, access-data mails): display names sanitised,
// quoted or encoded as RFC 2047 encoded-words, and folded (RFC 5322).
// Pure functions; docs/passwords-and-access-data.md is the specification.
//
// Line endings: folded header values use LF followed by one space ("\n "),
// as sendmail(1) and milter header values expect. Convert LF to CRLF before
// writing to an SMTP/LMTP stream.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "boxwarden/address.h"  // is_valid_address_syntax, is_valid_host_name
#include "boxwarden/utf8.h"

namespace boxwarden {

inline constexpr std::size_t kMaxDisplayNameBytes = 200;
inline constexpr std::size_t kMaxHeaderLineLength = 78;
inline constexpr std::size_t kMaxEncodedWordLength = 75;

// A display name safe to put into a header:
//  - ill-formed UTF-8 becomes U+FFFD;
//  - dropped: C0 controls (CR, LF, NUL, ...) except TAB, DEL, C1 controls and
//    the bidirectional embedding/override/isolate controls U+202A-U+202E,
//    U+2066-U+2069 (spoofing);
//  - TAB and the Unicode spaces/separators (U+00A0, U+1680, U+2000-U+200A,
//    U+2028, U+2029, U+202F, U+205F, U+3000) count as whitespace: each run
//    becomes one ASCII space; leading/trailing whitespace is trimmed;
//  - capped at kMaxDisplayNameBytes bytes, cut at a code point boundary.
std::string sanitize_display_name(std::string_view name);

// The value of an address header (From, To, Reply-To, ...) for `address`
// with the sanitized `display_name`, folded for a header named `header_name`
// so that no line exceeds 78 characters (except an address that is itself
// longer than 75 characters, which cannot be folded):
//  - empty name             -> <info@example.de>
//  - printable ASCII atoms  -> Info Desk <info@example.de>
//  - ASCII with specials    -> "Doe, \"JD\" \\ Co" <info@example.de>
//  - non-ASCII, or "=?"     -> =?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>
//    (one or more encoded-words of at most 75 characters, never splitting a
//    UTF-8 character, one per line after the first)
// ASCII names that cannot be folded within 78 columns are encoded too.
// Throws std::invalid_argument if `address` fails is_valid_address_syntax()
// or `header_name` is not a valid field name.
std::string format_address_header(std::string_view display_name, std::string_view address,
                                  std::string_view header_name = "From");

inline constexpr std::size_t kMaxUnstructuredBytes = 998;

// A complete unstructured header line "Name: value" (no trailing newline),
// e.g. Subject. The value is sanitized like a display name but capped at
// kMaxUnstructuredBytes; printable ASCII without "=?" stays as is (folded at
// spaces), anything else becomes UTF-8 B encoded-words. Throws
// std::invalid_argument for an invalid header name (empty, or not printable
// ASCII without ':').
std::string encode_unstructured_header(std::string_view name, std::string_view utf8_value);

}  // namespace boxwarden
