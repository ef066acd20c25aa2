// Quoted-printable (RFC 2045 6.7) bodies of the mails boxwarden sends and reads.
#pragma once

#include <string>
#include <string_view>

namespace boxwarden {

// Quoted-printable (RFC 2045 6.7) for a text body with LF line ends: LF stays
// a hard line break (LF), lines are soft-broken with "=" so that no encoded
// line exceeds 76 characters, '=' / non-printable / 8-bit bytes become =XX,
// a space or TAB before a line end becomes =20 / =09, and a '.' at the start
// of a line becomes =2E (safe for SMTP dot-stuffing). CR bytes are encoded
// as =0D.
std::string encode_quoted_printable(std::string_view text);

// The inverse: soft breaks ("=" at line end, LF or CRLF) are removed, =XX
// decoded (hex in either case), trailing whitespace of encoded lines dropped,
// CRLF line ends become LF, malformed "=" sequences kept literally.
std::string decode_quoted_printable(std::string_view encoded);

}  // namespace boxwarden
