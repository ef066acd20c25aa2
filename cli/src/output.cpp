#include "output.h"

#include <algorithm>
#include <cstdio>

#include "boxwarden/utf8.h"  // decode_utf8_at, append_utf8: the one UTF-8 codec

namespace boxwarden::cli {

namespace {

// nlohmann's dump, then the escapes of the serialiser this replaced: DEL and
// U+2028/U+2029 (line breaks to JavaScript and some terminals) as \u, and
// \b, \f as \u0008, \u000c. Outside strings JSON has none of these bytes.
// error_handler replace: never throws, even if a string slipped in unchecked.
std::string serialise(const nlohmann::ordered_json& value, int indent) {
    const std::string raw =
        value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '\\' && i + 1 < raw.size()) {
            const char e = raw[++i];
            if (e == 'b') {
                out += "\\u0008";
            } else if (e == 'f') {
                out += "\\u000c";
            } else {
                out += c;
                out += e;
            }
        } else if (c == '\x7f') {
            out += "\\u007f";
        } else if (raw.compare(i, 3, "\xe2\x80\xa8") == 0 ||
                   raw.compare(i, 3, "\xe2\x80\xa9") == 0) {
            out += raw[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string hex_escape(const char* prefix, unsigned value, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, value);
    return buf;
}

// Display width as code points (good enough for the names in our tables).
size_t text_width(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string pad(std::string s, size_t width) {
    const size_t w = text_width(s);
    if (w < width) s.append(width - w, ' ');
    return s;
}

std::string label(const std::string& key) {
    std::string out = key;
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

bool is_table(const Json& v) {
    if (!v.is_array()) return false;
    for (const auto& e : v.array_items())
        if (!e.is_object()) return false;
    return !v.array_items().empty();
}

std::string cell_text(const Json& v) {
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v.array_items()) out += (out.empty() ? "" : ", ") + cell_text(e);
        return out.empty() ? "-" : out;
    }
    if (v.is_object()) return terminal_safe(v.dump());
    // A table cell is one line: multi-line text (e.g. a body) shows escaped.
    std::string s = v.scalar_text();
    std::string out;
    for (char c : s) {
        if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

void render_table(std::string& out, const Json& rows, const std::string& indent) {
    std::vector<std::string> columns;
    for (const auto& [k, v] : rows.array_items().front().object_items()) columns.push_back(k);
    std::vector<std::vector<std::string>> cells;
    std::vector<size_t> widths;
    for (const auto& c : columns) widths.push_back(text_width(label(c)));
    for (const auto& row : rows.array_items()) {
        std::vector<std::string> line;
        for (size_t i = 0; i < columns.size(); ++i) {
            const std::optional<Json> v = row.find(columns[i]);
            line.push_back(v ? cell_text(*v) : "-");
            widths[i] = std::max(widths[i], text_width(line.back()));
        }
        cells.push_back(std::move(line));
    }
    auto emit = [&](const std::vector<std::string>& line) {
        std::string text = indent;
        for (size_t i = 0; i < line.size(); ++i)
            text += i + 1 < line.size() ? pad(line[i], widths[i]) + "  " : line[i];
        out += text + "\n";
    };
    std::vector<std::string> header;
    for (const auto& c : columns) header.push_back(label(c));
    emit(header);
    for (const auto& line : cells) emit(line);
}

void render_object(std::string& out, const Json& obj, const std::string& indent) {
    size_t width = 0;
    for (const auto& [k, v] : obj.object_items()) width = std::max(width, text_width(label(k)));
    for (const auto& [k, v] : obj.object_items()) {
        if (v.is_object()) {
            out += indent + label(k) + ":\n";
            render_object(out, v, indent + "  ");
        } else if (is_table(v)) {
            out += indent + label(k) + ":\n";
            render_table(out, v, indent + "  ");
        } else if (v.is_string() && v.string_value().find('\n') != std::string::npos) {
            // Multi-line text (an out-of-office body): shown as an indented block.
            out += indent + label(k) + ":\n";
            std::string text = terminal_safe(v.string_value());
            size_t pos = 0;
            while (pos <= text.size()) {
                size_t nl = text.find('\n', pos);
                if (nl == std::string::npos) nl = text.size();
                out += indent + "  | " + text.substr(pos, nl - pos) + "\n";
                pos = nl + 1;
            }
        } else {
            out += indent + pad(label(k) + ":", width + 1) + " " + cell_text(v) + "\n";
        }
    }
}

}  // namespace

Json::Json(std::string_view s) : j_(to_valid_utf8(s)) {}

Json& Json::set(std::string key, Json value) {
    // ordered_json replaces an existing member in place, keeping its position.
    j_[to_valid_utf8(key)] = std::move(value.j_);
    return *this;
}

Json& Json::push(Json value) {
    j_.push_back(std::move(value.j_));
    return *this;
}

Json::Object Json::object_items() const {
    Object items;
    for (const auto& [k, v] : j_.items()) items.emplace_back(k, Json(v));
    return items;
}

Json::Array Json::array_items() const {
    Array items;
    for (const auto& v : j_) items.push_back(Json(v));
    return items;
}

std::optional<Json> Json::find(std::string_view key) const {
    if (!is_object()) return std::nullopt;
    const auto it = j_.find(std::string(key));
    if (it == j_.end()) return std::nullopt;
    return Json(*it);
}

std::string json_quote(std::string_view s) {
    return serialise(nlohmann::ordered_json(to_valid_utf8(s)), -1);
}

namespace {

// Code points that draw nothing or reorder the line around them: a value
// holding them could look like another value, or flip the columns after it
// (U+202E). ZWNJ/ZWJ (U+200C/D) stay: scripts and emoji need them.
bool is_invisible_or_bidi(char32_t cp) {
    return cp == 0x00AD ||                    // soft hyphen
           cp == 0x061C ||                    // Arabic letter mark
           cp == 0x180E ||                    // Mongolian vowel separator
           cp == 0x200B ||                    // zero width space
           cp == 0x200E || cp == 0x200F ||    // LRM, RLM
           (cp >= 0x2028 && cp <= 0x202E) ||  // line/paragraph separator, LRE..RLO
           (cp >= 0x2060 && cp <= 0x206F) ||  // word joiner, invisible operators, LRI..PDI
           cp == 0xFEFF ||                    // zero width no-break space (BOM)
           (cp >= 0xFFF9 && cp <= 0xFFFB);    // interlinear annotation
}

}  // namespace

std::string terminal_safe(std::string_view s) {
    std::string out;
    size_t pos = 0;
    while (pos < s.size()) {
        const Utf8Step step = decode_utf8_at(s, pos);
        pos += step.length;
        const char32_t cp = step.valid ? step.code_point : U'\uFFFD';
        if ((cp < 0x20 && cp != U'\t' && cp != U'\n') || (cp >= 0x7F && cp <= 0x9F))
            out += hex_escape("\\x", static_cast<unsigned>(cp), 2);
        else if (is_invisible_or_bidi(cp))
            out += hex_escape("\\u", static_cast<unsigned>(cp), 4);
        else
            append_utf8(out, cp);
    }
    return out;
}

std::string Json::dump() const {
    return serialise(j_, -1);
}

std::string Json::dump_pretty() const {
    return serialise(j_, 2);
}

std::string Json::scalar_text() const {
    if (j_.is_string()) return terminal_safe(string_value());
    if (j_.is_boolean()) return j_.get<bool>() ? "yes" : "no";
    if (j_.is_number_integer()) return std::to_string(j_.get<std::int64_t>());
    if (is_null()) return "-";
    return terminal_safe(dump());
}

std::string render_human(const Json& value) {
    std::string out;
    if (value.is_object()) {
        render_object(out, value, "");
    } else if (value.is_array()) {
        if (value.array_items().empty())
            out = "(none)\n";
        else if (is_table(value))
            render_table(out, value, "");
        else
            for (const auto& e : value.array_items()) out += cell_text(e) + "\n";
    } else if (value.is_string()) {
        out = terminal_safe(value.string_value());
        if (out.empty() || out.back() != '\n') out += '\n';
    } else {
        out = value.scalar_text() + "\n";
    }
    return out;
}

}  // namespace boxwarden::cli
