#pragma once
// A message's header fields as a milter or an LMTP hook sees them, and
// look-ups by name (case-insensitive, every instance).
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden {

struct HeaderField {
    std::string name;   // as written, e.g. "Auto-Submitted"
    std::string value;  // after the colon; may be folded (LF or CRLF + WSP)
};

// The values of every field named `name` (ASCII case ignored), in order.
std::vector<std::string> header_values(const std::vector<HeaderField>& fields,
                                       std::string_view name);

// ASCII case-insensitive equality.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// `text` with folding line breaks removed and white space trimmed at both ends.
std::string unfolded_trimmed(std::string_view text);

}  // namespace boxwarden
