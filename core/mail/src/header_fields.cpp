#include "boxwarden/header_fields.h"

namespace boxwarden {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::vector<std::string> header_values(const std::vector<HeaderField>& fields,
                                       std::string_view name) {
    std::vector<std::string> values;
    for (const HeaderField& field : fields) {
        if (equals_ignoring_case(field.name, name)) values.push_back(field.value);
    }
    return values;
}

std::string unfolded_trimmed(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c != '\r' && c != '\n') out += c;
    }
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    std::size_t start = 0;
    while (start < out.size() && blank(out[start])) ++start;
    std::size_t end = out.size();
    while (end > start && blank(out[end - 1])) --end;
    return out.substr(start, end - start);
}

}  // namespace boxwarden
