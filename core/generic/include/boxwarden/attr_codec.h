// Codec for the attribute framing shared by Postfix's policy delegation
// protocol and boxwarden's internal protocol: "name=value" lines, an empty
// line ends a request or reply. Pure: no sockets, no I/O.
// docs/protocol.md ("Framing") is the specification.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "boxwarden/utf8.h"  // is_valid_utf8, used with these requests

namespace boxwarden {

struct AttrLimits {
    // Bytes of one line, without its "\n" or "\r\n" ending.
    size_t max_line_bytes = 4096;
    // Attribute lines in one request.
    size_t max_attributes = 256;
    // Bytes of one request on the wire, line ends and the final empty line included.
    size_t max_request_bytes = 65536;
};

// How values travel. Names are always verbatim.
enum class AttrEncoding {
    // Postfix policy socket: values verbatim (Postfix never escapes).
    Raw,
    // Internal protocol: bytes < 0x20, 0x7F and '%' travel as %XX, so values
    // may hold newlines (out-of-office bodies).
    Escaped,
};

enum class AttrError {
    MissingEquals,      // a non-empty line without '='
    EmptyName,          // a line starting with '='
    LineTooLong,        // more than max_line_bytes
    TooManyAttributes,  // more than max_attributes lines in one request
    RequestTooLarge,    // more than max_request_bytes in one request
    NulByte,            // a NUL byte anywhere on the wire
    BadEscape,          // Escaped only: '%' not followed by two hex digits
};

// A short English description for logs, e.g. "bad %-escape".
std::string_view to_string(AttrError error);

using AttrList = std::vector<std::pair<std::string, std::string>>;

struct AttrRequest {
    // In arrival order; a name may repeat.
    AttrList attributes;

    // The first value of `name`. The view points into this request.
    [[nodiscard]] std::optional<std::string_view> find(std::string_view name) const;

    bool operator==(const AttrRequest&) const = default;
};

// Incremental parser for one connection. Feed it bytes as they arrive, split
// anywhere; several pipelined requests may come in one chunk. Work is linear
// in the input and memory is bounded by the limits plus the requests not yet
// taken with next().
//
//   parser.feed(chunk);
//   while (auto request = parser.next()) answer(*request);
//   if (auto error = parser.error()) { log(to_string(*error)); close(); }
//
// The first error stops the parser for good: the stream cannot be resynced,
// so the connection is meant to be closed. Requests completed before the
// error are still returned by next().
class AttrRequestParser {
  public:
    explicit AttrRequestParser(AttrEncoding encoding, AttrLimits limits = {});

    void feed(std::string_view bytes);

    // The oldest complete request not yet taken, or nullopt.
    [[nodiscard]] std::optional<AttrRequest> next();

    // The error that stopped parsing, if any.
    [[nodiscard]] std::optional<AttrError> error() const { return error_; }

    // True while part of a request has arrived (for "closed mid-request" logs).
    [[nodiscard]] bool mid_request() const { return request_bytes_ > 0; }

  private:
    void end_line();
    void fail(AttrError error);

    AttrEncoding encoding_;
    AttrLimits limits_;
    std::string line_;
    AttrRequest current_;
    size_t request_bytes_ = 0;
    std::deque<AttrRequest> ready_;
    std::optional<AttrError> error_;
};

// One request or reply: a "name=value\n" line per attribute, then "\n".
// Raw: CR, LF and NUL in a value become a space, since Raw has no escape and
// such a byte would break the frame. Escaped: the value is %-escaped.
// Throws std::invalid_argument for a name that no parser would read back
// (empty, or containing '=', LF or NUL): names are constants, so that is a
// programming error.
std::string encode_attributes(const AttrList& attributes, AttrEncoding encoding);

// Makes an untrusted value safe to put in a log line. Escapes ASCII control
// bytes and bytes that are not valid UTF-8 as \xHH, a backslash as \\, and
// valid but invisible or line-breaking code points (C1 controls, bidi
// overrides, U+2028/U+2029) as \u{XXXX}. The result is valid UTF-8 of at most
// max_bytes bytes plus the marker "…(truncated)" when input was left out; it
// never cuts a character or an escape in half.
std::string sanitize_for_log(std::string_view text, size_t max_bytes = 256);

}  // namespace boxwarden
