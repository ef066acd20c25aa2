#pragma once
// The texts of the second login step, enrolment and recovery codes (kept
// apart from i18n.cpp's table; texts() serves both).
#include <span>

#include "i18n_text_row.h"

namespace boxwarden::web {

std::span<const TextRow> second_factor_texts();

}  // namespace boxwarden::web
