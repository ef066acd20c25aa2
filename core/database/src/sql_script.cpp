#include "boxwarden/sql_script.h"

#include <stdexcept>

namespace boxwarden {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return std::string(s);
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

}  // namespace

std::vector<SqlStatement> split_sql_script(std::string_view s) {
    std::vector<SqlStatement> out;
    std::string delimiter = ";";
    std::string current;
    size_t line = 1;
    size_t start_line = 0;
    bool at_line_start = true;

    auto flush = [&] {
        std::string t = trim(current);
        if (!t.empty()) out.push_back({t, start_line});
        current.clear();
        start_line = 0;
    };

    size_t i = 0;
    while (i < s.size()) {
        // A DELIMITER command is a whole line of its own, outside statements.
        if (at_line_start && trim(current).empty()) {
            size_t j = i;
            while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
            if (starts_with_ci(s.substr(j), "delimiter") && j + 9 < s.size() &&
                (s[j + 9] == ' ' || s[j + 9] == '\t')) {
                size_t eol = s.find('\n', j);
                if (eol == std::string_view::npos) eol = s.size();
                std::string d = trim(s.substr(j + 9, eol - j - 9));
                if (d.empty())
                    throw std::runtime_error("line " + std::to_string(line) +
                                             ": DELIMITER without a value");
                delimiter = d;
                current.clear();
                i = eol;
                continue;
            }
        }
        const char c = s[i];
        at_line_start = false;
        if (c == '\n') {
            ++line;
            at_line_start = true;
            current += c;
            ++i;
            continue;
        }
        // Comments: "-- " to end of line, '#' to end of line, /* ... */.
        if ((c == '-' && i + 2 < s.size() && s[i + 1] == '-' && is_blank(s[i + 2])) || c == '#') {
            size_t eol = s.find('\n', i);
            i = (eol == std::string_view::npos) ? s.size() : eol;
            continue;
        }
        if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            size_t end = s.find("*/", i + 2);
            if (end == std::string_view::npos)
                throw std::runtime_error("line " + std::to_string(line) +
                                         ": unterminated /* comment");
            for (size_t k = i; k < end; ++k)
                if (s[k] == '\n') ++line;
            current += ' ';
            i = end + 2;
            continue;
        }
        if (start_line == 0 && !is_blank(c)) start_line = line;
        if (c == '\'' || c == '"' || c == '`') {
            const size_t open_line = line;
            current += c;
            ++i;
            bool closed = false;
            while (i < s.size()) {
                const char q = s[i];
                current += q;
                ++i;
                if (q == '\n') ++line;
                if (q == '\\' && c != '`' && i < s.size()) {
                    if (s[i] == '\n') ++line;
                    current += s[i++];
                    continue;
                }
                if (q == c) {
                    if (i < s.size() && s[i] == c) {  // doubled quote
                        current += s[i++];
                        continue;
                    }
                    closed = true;
                    break;
                }
            }
            if (!closed)
                throw std::runtime_error("line " + std::to_string(open_line) +
                                         ": unterminated quote " + std::string(1, c));
            continue;
        }
        if (s.compare(i, delimiter.size(), delimiter) == 0) {
            flush();
            i += delimiter.size();
            continue;
        }
        current += c;
        ++i;
    }
    flush();
    return out;
}

}  // namespace boxwarden
