#pragma once
// Texts of the client set-up block and Settings » Other (domains, users),
// kept apart from i18n.cpp's table so the screens' texts live with them.
#include <span>

#include "i18n_text_row.h"

namespace boxwarden::web {

std::span<const TextRow> screen_texts();

}  // namespace boxwarden::web
