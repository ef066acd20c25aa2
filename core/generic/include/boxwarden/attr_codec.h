// Codec for the attribute framing shared by Postfix's policy delegation
// protocol and boxwarden's internal protocol: "name=value" lines, an empty
// line ends a request or reply. Pure: no sockets, no I/O.
// docs/protocol.md ("Framing") is the specification.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "boxwarden/log_sanitize.h"  // sanitize_for_log, used with these requests
#include "boxwarden/utf8.h"          // is_valid_utf8, used with these requests

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

using AttrView = std::pair<std::string_view, std::string_view>;

// A request that owns nothing: names and values point into the bytes of the
// parser (or of the AttrRequest) it was taken from.
struct AttrRequestView {
    std::span<const AttrView> attributes;

    // The first value of `name`.
    [[nodiscard]] std::optional<std::string_view> find(std::string_view name) const;

    // An owned copy, for a request that must outlive its parser's buffer.
    [[nodiscard]] AttrRequest to_owned() const;
};

// Views of `request`'s attributes, for an AttrRequestView{views_of(r)}; the
// views point into `request`.
std::vector<AttrView> views_of(const AttrRequest& request);

// Incremental parser for one connection. Feed it bytes as they arrive, split
// anywhere; several pipelined requests may come in one chunk. Work is linear
// in the input and memory is bounded by the limits plus the requests not yet
// taken.
//
//   parser.feed(chunk);
//   while (auto request = parser.next()) answer(*request);
//   if (auto error = parser.error()) { log(to_string(*error)); close(); }
//
// The first error stops the parser for good: the stream cannot be resynced,
// so the connection is meant to be closed. Requests completed before the
// error are still returned.
//
// Parsing is in place: fed bytes are appended to one buffer whose capacity
// is kept, lines are found there and attributes are recorded as offsets
// (Escaped values are unescaped in place; the result is never longer), so a
// steady connection parses without allocating. next_view() hands a request
// out as views into that buffer; next() makes an owned copy.
class AttrRequestParser {
  public:
    explicit AttrRequestParser(AttrEncoding encoding, AttrLimits limits = {});

    void feed(std::string_view bytes);

    // The oldest complete request not yet taken, or nullopt.
    [[nodiscard]] std::optional<AttrRequest> next();

    // The same without copying: the views stay valid until the next call to
    // feed(), next() or next_view() on this parser.
    [[nodiscard]] std::optional<AttrRequestView> next_view();

    // The error that stopped parsing, if any.
    [[nodiscard]] std::optional<AttrError> error() const { return error_; }

    // True while part of a request has arrived (for "closed mid-request" logs).
    [[nodiscard]] bool mid_request() const { return request_bytes_ > 0; }

  private:
    // One attribute as offsets into buffer_ (which may move when it grows).
    struct Entry {
        std::size_t name_offset;
        std::size_t name_size;
        std::size_t value_offset;
        std::size_t value_size;
    };
    // A complete request: its entries [first_entry, end_entry) and the
    // buffer offset just past its final empty line.
    struct Ready {
        std::size_t end_entry;
        std::size_t end_byte;
    };

    void scan();
    void end_line(std::size_t line_end);
    void fail(AttrError error);
    void compact();

    AttrEncoding encoding_;
    AttrLimits limits_;
    std::string buffer_;             // bytes not yet taken (ready requests, then the partial one)
    std::size_t scanned_ = 0;        // buffer_ offset up to which bytes were checked
    std::size_t line_start_ = 0;     // buffer_ offset of the current line
    std::size_t request_entry_ = 0;  // entries_ index of the partial request's first attribute
    std::size_t request_bytes_ = 0;
    std::vector<Entry> entries_;
    std::vector<Ready> ready_;
    std::size_t taken_ = 0;          // ready_ requests already handed out
    std::size_t taken_entries_ = 0;  // entries_ of those
    std::size_t taken_bytes_ = 0;    // buffer_ bytes of those
    std::vector<AttrView> view_;     // backs the last next_view()
    std::optional<AttrError> error_;
};

// One request or reply: a "name=value\n" line per attribute, then "\n".
// Raw: CR, LF and NUL in a value become a space, since Raw has no escape and
// such a byte would break the frame. Escaped: the value is %-escaped.
// Throws std::invalid_argument for a name that no parser would read back
// (empty, or containing '=', LF or NUL): names are constants, so that is a
// programming error.
std::string encode_attributes(const AttrList& attributes, AttrEncoding encoding);

}  // namespace boxwarden
