// The one sanitiser for untrusted text on its way into a log line (mail
// addresses, attribute values, database and exception messages), and the
// Untrusted wrapper that log formatting sanitises by construction.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace boxwarden {

inline constexpr std::size_t kDefaultLogValueBytes = 256;

// Makes an untrusted value safe to put in a log line. Escapes ASCII control
// bytes and bytes that are not valid UTF-8 as \xHH, a backslash as \\, and
// valid but invisible or line-breaking code points (C1 controls, bidi
// overrides, U+2028/U+2029) as \u{XXXX}. The result is valid UTF-8 of at most
// max_bytes bytes plus the marker "…(truncated)" when input was left out; it
// never cuts a character or an escape in half.
std::string sanitize_for_log(std::string_view text, std::size_t max_bytes = kDefaultLogValueBytes);

// Appends sanitize_for_log(text, max_bytes) to out.
void append_sanitized_for_log(std::string& out, std::string_view text,
                              std::size_t max_bytes = kDefaultLogValueBytes);

// True for valid code points that could mislead a reader of a log or a
// terminal: C1 controls (some terminals act on them), the line/paragraph
// separators and the bidi controls (marks, embeddings, overrides, isolates).
bool is_invisible_control(char32_t code_point);

// A value from outside (the network, the database, an exception message).
// Log formatting always passes it through sanitize_for_log, so a call site
// that marks a value Untrusted cannot forget to sanitise it.
struct Untrusted {
    std::string_view value;
    std::size_t max_bytes = kDefaultLogValueBytes;
};

// Pieces of one log line: trusted text (constants, numbers, names the
// program chose) verbatim, Untrusted values sanitised.
inline void append_log_part(std::string& out, std::string_view trusted) {
    out.append(trusted);
}
inline void append_log_part(std::string& out, const Untrusted& untrusted) {
    append_sanitized_for_log(out, untrusted.value, untrusted.max_bytes);
}

// "a" + Untrusted{b} + ... as one line.
template <typename... Parts>
std::string compose_log_line(const Parts&... parts) {
    std::string out;
    (append_log_part(out, parts), ...);
    return out;
}

}  // namespace boxwarden
