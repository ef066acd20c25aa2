#include "boxwarden/config.h"

#include "boxwarden/text_trim.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace boxwarden {

namespace {

const ConfigKey* find_key(std::string_view name) {
    for (const auto& k : known_config_keys())
        if (k.name == name) return &k;
    return nullptr;
}

std::optional<long long> parse_integer(std::string_view s) {
    long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::string describe_ms(long long ms) {
    if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

// The reason `value` is not acceptable for `key`, or empty.
std::string value_problem(const ConfigKey& key, std::string_view value) {
    switch (key.type) {
        case ConfigType::String:
        case ConfigType::Secret:
            for (unsigned char c : value)
                if (c < 0x20 || c == 0x7f) return "control characters are not allowed";
            return {};
        case ConfigType::Integer: {
            auto v = parse_integer(value);
            if (!v) return "expected a whole number, got '" + std::string(value) + "'";
            if (*v < key.min || *v > key.max)
                return "expected " + std::to_string(key.min) + " to " + std::to_string(key.max) +
                       ", got " + std::to_string(*v);
            return {};
        }
        case ConfigType::Boolean:
            if (!parse_bool(value))
                return "expected yes/no (or true/false, on/off, 1/0), got '" + std::string(value) +
                       "'";
            return {};
        case ConfigType::Duration: {
            auto d = parse_duration(value);
            if (!d)
                return "expected a duration like 500ms, 2s, 30m or 1h, got '" + std::string(value) +
                       "'";
            if (d->count() < key.min || d->count() > key.max)
                return "expected " + describe_ms(key.min) + " to " + describe_ms(key.max) +
                       ", got " + std::string(value);
            return {};
        }
    }
    return {};
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::string_view s = trim(text, kSpaceTabCr);
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0 || digits > 12) return std::nullopt;
    auto n = parse_integer(s.substr(0, digits));
    if (!n) return std::nullopt;
    const std::string_view unit = s.substr(digits);
    long long factor = 0;
    if (unit.empty() || unit == "s")
        factor = 1000;
    else if (unit == "ms")
        factor = 1;
    else if (unit == "m")
        factor = 60000;
    else if (unit == "h")
        factor = 3600000;
    else
        return std::nullopt;
    return std::chrono::milliseconds(*n * factor);
}

std::optional<bool> parse_bool(std::string_view text) {
    std::string s(trim(text, kSpaceTabCr));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "yes" || s == "true" || s == "on" || s == "1") return true;
    if (s == "no" || s == "false" || s == "off" || s == "0") return false;
    return std::nullopt;
}

Config Config::parse(std::string_view text, std::string_view origin) {
    Config cfg;
    cfg.origin_ = std::string(origin);
    std::map<std::string, size_t, std::less<>> first_line;
    size_t line_no = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim(text.substr(pos, end - pos), kSpaceTabCr);
        pos = end + 1;
        ++line_no;
        const std::string where = cfg.origin_ + ":" + std::to_string(line_no) + ": ";
        if (line.empty() || line.front() == '#') continue;
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            throw ConfigError(where + "malformed line (expected 'key = value')");
        const std::string_view name = trim(line.substr(0, eq), kSpaceTabCr);
        std::string_view value = trim(line.substr(eq + 1), kSpaceTabCr);
        if (name.empty()) throw ConfigError(where + "malformed line (empty key before '=')");
        const ConfigKey* key = find_key(name);
        if (!key) throw ConfigError(where + "unknown key '" + std::string(name) + "'");
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        if (auto it = first_line.find(name); it != first_line.end())
            throw ConfigError(where + "key '" + std::string(name) + "' already set on line " +
                              std::to_string(it->second));
        if (std::string problem = value_problem(*key, value); !problem.empty())
            throw ConfigError(where + "key '" + std::string(name) + "': " + problem);
        first_line.emplace(std::string(name), line_no);
        cfg.values_.emplace(std::string(name), std::string(value));
    }
    return cfg;
}

Config Config::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read configuration: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
}

const ConfigKey& Config::key_or_throw(std::string_view name, ConfigType expected) const {
    const ConfigKey* key = find_key(name);
    if (!key) throw ConfigError("unknown configuration key '" + std::string(name) + "'");
    const bool string_like = expected == ConfigType::String &&
                             (key->type == ConfigType::String || key->type == ConfigType::Secret);
    if (key->type != expected && !string_like)
        throw ConfigError("configuration key '" + std::string(name) + "' read with the wrong type");
    return *key;
}

std::string Config::raw(std::string_view name) const {
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    return std::string(find_key(name)->default_value);
}

std::string Config::get_string(std::string_view key) const {
    key_or_throw(key, ConfigType::String);
    return raw(key);
}

long long Config::get_int(std::string_view key) const {
    key_or_throw(key, ConfigType::Integer);
    return *parse_integer(raw(key));
}

bool Config::get_bool(std::string_view key) const {
    key_or_throw(key, ConfigType::Boolean);
    return *parse_bool(raw(key));
}

std::chrono::milliseconds Config::get_duration(std::string_view key) const {
    key_or_throw(key, ConfigType::Duration);
    return *parse_duration(raw(key));
}

bool Config::is_set(std::string_view key) const {
    return values_.count(key) > 0;
}

void Config::set(std::string_view name, std::string_view value) {
    const ConfigKey* key = find_key(name);
    if (!key) throw ConfigError("unknown configuration key '" + std::string(name) + "'");
    if (std::string problem = value_problem(*key, value); !problem.empty())
        throw ConfigError("key '" + std::string(name) + "': " + problem);
    values_[std::string(name)] = std::string(value);
}

}  // namespace boxwarden
