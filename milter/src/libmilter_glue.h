#pragma once
// The libmilter side: registration, the mlfi_* callbacks (translation only)
// and the smfi_* calls behind MilterContext.
#include <string>

#include "milter_options.h"

namespace boxwarden::milter {

// Registers the filter and opens its unix socket (mode 0660, group
// milter_socket_group). Throws std::runtime_error.
void open_milter_socket(const MilterOptions& options);

// Runs libmilter's loop until SIGTERM/SIGINT; returns smfi_main's result.
int run_milter_loop();

// The metrics exposition (milter_metrics_listen).
std::string metrics_text();

// One line on stderr (the journal under systemd).
void log_line(const std::string& text);

}  // namespace boxwarden::milter
