#pragma once
// The page's texts in English and German. The language comes from the
// bw_lang cookie (set by the switch in the page header), else the browser's
// Accept-Language, else English.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxwarden::web {

// "de" or "en".
std::string choose_language(std::string_view cookie, std::string_view accept_language);

// Every (key, text) of a language; the keys are the same for both.
const std::vector<std::pair<std::string, std::string>>& texts(const std::string& language);

// One text by key (the key itself when unknown, so a gap is visible).
std::string text(const std::string& language, const std::string& key);

}  // namespace boxwarden::web
