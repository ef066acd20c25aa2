#pragma once
// /etc/boxwarden/boxwarden.conf: one file shared by every boxwarden program.
// Format: "key = value" lines; '#' starts a comment line; blank lines are
// ignored; values run to the end of the line (surrounding blanks trimmed,
// optional double quotes removed). Unknown keys, duplicates and malformed
// values are errors naming the file, line and key.
#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden {

inline constexpr std::string_view kDefaultConfigPath = "/etc/boxwarden/boxwarden.conf";

enum class ConfigType { String, Integer, Boolean, Duration, Secret };

struct ConfigKey {
    std::string_view name;
    ConfigType type;
    std::string_view default_value;  // in the file's own syntax; "" = unset
    long long min = 0;               // Integer: range; Duration: range in milliseconds
    long long max = 0;
    std::string_view help;
};

// Every key any boxwarden program understands (core/generic/src/config_keys.cpp).
std::span<const ConfigKey> known_config_keys();

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Config {
  public:
    // Parses text as if read from `origin` (used in error messages).
    static Config parse(std::string_view text, std::string_view origin);
    // Reads and parses a file; a missing or unreadable file is a ConfigError.
    static Config load(const std::string& path);
    // Only the defaults; for tests and tools that run without a file.
    static Config defaults() { return parse("", "(defaults)"); }

    std::string get_string(std::string_view key) const;
    long long get_int(std::string_view key) const;
    bool get_bool(std::string_view key) const;
    std::chrono::milliseconds get_duration(std::string_view key) const;
    // True when the file set the key (not just its default).
    bool is_set(std::string_view key) const;
    // Overrides a value after validation, e.g. from a command-line option.
    void set(std::string_view key, std::string_view value);

    const std::string& origin() const { return origin_; }

  private:
    const ConfigKey& key_or_throw(std::string_view key, ConfigType expected) const;
    std::string raw(std::string_view key) const;

    std::string origin_;
    std::map<std::string, std::string, std::less<>> values_;  // validated, from the file
};

// Parses "1500ms", "2s", "30m", "1h" or a bare number of seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);

}  // namespace boxwarden
