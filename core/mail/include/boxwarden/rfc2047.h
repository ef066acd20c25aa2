// Decoding of RFC 2047 encoded-words in header values boxwarden reads
// (display names and subjects of mail it logs or answers).
#pragma once

#include <string>
#include <string_view>

namespace boxwarden {

// Decodes RFC 2047 encoded-words (B and Q; any charset glibc iconv knows,
// e.g. UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15, Windows-1252; an RFC 2231
// "*language" suffix is ignored). Whitespace between adjacent encoded-words
// is dropped and their bytes are joined before charset conversion (so a
// character split across words survives). Folding line breaks are unfolded.
// Malformed words (bad encoding letter, bad base64/Q text, unknown charset,
// unterminated) stay as they are. The result is valid UTF-8 (bytes that do
// not convert become U+FFFD) but NOT sanitized: it may hold control
// characters from the encoded text.
std::string decode_rfc2047(std::string_view value);

}  // namespace boxwarden
