#pragma once
// Output of boxwardenctl: every command builds one Json value (nlohmann::ordered_json); it is
// printed either as JSON (--json) or as text for people, from the same value, so both always carry
// the same fields. Pure (unit tested in tests/unit/cli_output_test.cpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace boxwarden::cli {

// A JSON value built by a command: nlohmann::ordered_json (keys keep their
// insertion order) behind the small interface the commands use. Strings and
// keys are made valid UTF-8 (ill-formed parts become U+FFFD) when they go
// in, so serialising can never throw on bytes read from the database.
class Json {
  public:
    using Object = std::vector<std::pair<std::string, Json>>;  // a copy, in insertion order
    using Array = std::vector<Json>;

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : j_(b) {}
    Json(int i) : j_(static_cast<std::int64_t>(i)) {}
    Json(long i) : j_(static_cast<std::int64_t>(i)) {}
    Json(long long i) : j_(static_cast<std::int64_t>(i)) {}
    Json(unsigned long i) : j_(static_cast<std::int64_t>(i)) {}
    Json(const char* s) : Json(std::string_view(s)) {}
    Json(const std::string& s) : Json(std::string_view(s)) {}
    Json(std::string_view s);
    template <typename T>
    Json(const std::optional<T>& o) {
        if (o) *this = Json(*o);
    }

    static Json array() { return Json(nlohmann::ordered_json::array()); }
    static Json object() { return Json(nlohmann::ordered_json::object()); }

    bool is_null() const { return j_.is_null(); }
    bool is_object() const { return j_.is_object(); }
    bool is_array() const { return j_.is_array(); }
    bool is_string() const { return j_.is_string(); }

    // Object: appends (or replaces) a member; returns *this for chaining.
    Json& set(std::string key, Json value);
    // Array: appends an element.
    Json& push(Json value);

    Object object_items() const;
    Array array_items() const;
    const std::string& string_value() const { return j_.get_ref<const std::string&>(); }
    // Member by key, or nullopt.
    std::optional<Json> find(std::string_view key) const;

    // Compact JSON (one line). Beyond nlohmann's escapes, DEL, U+2028 and
    // U+2029 are written as \u escapes and \b, \f as \u0008, \u000c (the
    // output of the hand-written serialiser this replaced, byte for byte).
    std::string dump() const;
    // Indented JSON, two spaces.
    std::string dump_pretty() const;
    // Text for people (see render_human).
    std::string scalar_text() const;

  private:
    explicit Json(nlohmann::ordered_json j) : j_(std::move(j)) {}

    nlohmann::ordered_json j_;
};

// JSON string literal with quotes.
std::string json_quote(std::string_view s);

// Makes untrusted text safe for a terminal: ill-formed UTF-8 becomes U+FFFD
// and control characters (C0 except TAB, DEL, C1) become "\xNN", so a value
// stored by plain SQL cannot send escape sequences to the admin's terminal;
// invisible and bidi-control code points (U+00AD, U+061C, U+180E, U+200B,
// U+200E/F, U+2028..U+202E, U+2060..U+206F, U+FEFF, U+FFF9..U+FFFB) become
// "\uXXXX", so a value cannot hide characters or reorder the line.
std::string terminal_safe(std::string_view s);

// Human rendering:
//  - a string is printed as is (plus a newline);
//  - an object prints "key: value" lines with aligned values; a nested
//    object is indented under "key:"; an array of objects becomes a table
//    under "key:"; an array of scalars is comma-separated;
//  - an array of objects prints a table whose columns are the first
//    element's keys ("(none)" when empty).
// null prints as "-", booleans as yes/no. Keys print with '_' as ' '.
std::string render_human(const Json& value);

}  // namespace boxwarden::cli
