#pragma once
// application/x-www-form-urlencoded bodies and query strings, Cookie headers.
// Pure (unit tested in tests/unit/web_form_test.cpp).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden::web {

// %XX and '+' decoded; nullopt for a malformed escape (never guesses a byte).
std::optional<std::string> url_decode(std::string_view text);
std::string url_encode(std::string_view text);

// "a=1&b=2&a=3" -> {a:[1,3], b:[2]}; malformed pairs are dropped.
std::multimap<std::string, std::string> parse_form(std::string_view body);

// "k=v; k2=v2" -> map (first value wins).
std::map<std::string, std::string> parse_cookies(std::string_view header);

class Form {
  public:
    explicit Form(std::string_view body) : fields_(parse_form(body)) {}
    std::string get(const std::string& name) const;  // first value or ""
    bool has(const std::string& name) const { return fields_.count(name) > 0; }
    std::vector<std::string> all(const std::string& name) const;

  private:
    std::multimap<std::string, std::string> fields_;
};

}  // namespace boxwarden::web
