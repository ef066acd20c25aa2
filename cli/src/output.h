#pragma once
// Output of boxwardenctl: every command builds one Json value; it is printed
// either as JSON (--json) or as text for people, from the same value, so
// both always carry the same fields. Pure (unit tested in
// tests/unit/cli_output_test.cpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace boxwarden::cli {

class Json {
  public:
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;  // keeps insertion order

    Json() : v_(nullptr) {}
    Json(std::nullptr_t) : v_(nullptr) {}
    Json(bool b) : v_(b) {}
    Json(int i) : v_(static_cast<std::int64_t>(i)) {}
    Json(long i) : v_(static_cast<std::int64_t>(i)) {}
    Json(long long i) : v_(static_cast<std::int64_t>(i)) {}
    Json(unsigned long i) : v_(static_cast<std::int64_t>(i)) {}
    Json(const char* s) : v_(std::string(s)) {}
    Json(std::string s) : v_(std::move(s)) {}
    Json(std::string_view s) : v_(std::string(s)) {}
    template <typename T>
    Json(const std::optional<T>& o) : v_(nullptr) {
        if (o) *this = Json(*o);
    }

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
    bool is_object() const { return std::holds_alternative<Object>(v_); }
    bool is_array() const { return std::holds_alternative<Array>(v_); }
    bool is_string() const { return std::holds_alternative<std::string>(v_); }

    // Object: appends (or replaces) a member; returns *this for chaining.
    Json& set(std::string key, Json value);
    // Array: appends an element.
    Json& push(Json value);

    const Object& object_items() const { return std::get<Object>(v_); }
    const Array& array_items() const { return std::get<Array>(v_); }
    const std::string& string_value() const { return std::get<std::string>(v_); }
    // Member by key, or nullptr.
    const Json* find(std::string_view key) const;

    // Compact JSON (one line); strings are escaped, ill-formed UTF-8 becomes
    // U+FFFD so the output is always valid JSON.
    std::string dump() const;
    // Indented JSON, two spaces.
    std::string dump_pretty() const;
    // Text for people (see render_human).
    std::string scalar_text() const;

  private:
    explicit Json(Array a) : v_(std::move(a)) {}
    explicit Json(Object o) : v_(std::move(o)) {}
    void dump_to(std::string& out, int indent, int depth) const;

    std::variant<std::nullptr_t, bool, std::int64_t, std::string, Array, Object> v_;
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
