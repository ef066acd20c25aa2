#pragma once
// Texts of the client set-up block and Settings » Other (domains, users),
// kept apart from i18n.cpp's table so the screens' texts live with them.
#include <cstddef>

namespace boxwarden::web {

struct ScreenText {
    const char* key;
    const char* en;
    const char* de;
};

extern const ScreenText kScreenTexts[];
extern const std::size_t kScreenTextCount;

}  // namespace boxwarden::web
