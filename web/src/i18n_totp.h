#pragma once
// The texts of the second login step, enrolment and recovery codes (kept
// apart from i18n.cpp's table; texts() serves both).
#include <span>

namespace boxwarden::web {

struct TextRow {
    const char* key;
    const char* en;
    const char* de;
};

std::span<const TextRow> second_factor_texts();

}  // namespace boxwarden::web
