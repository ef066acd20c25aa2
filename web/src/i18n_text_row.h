#pragma once
// One interface text in both languages: the row type of the text tables that
// live beside their screens (i18n_screens.cpp, i18n_totp.cpp); texts() in
// i18n.cpp merges them.

namespace boxwarden::web {

struct TextRow {
    const char* key;
    const char* en;
    const char* de;
};

}  // namespace boxwarden::web
