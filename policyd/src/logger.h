#pragma once
// Operational log of the daemon: stderr in the foreground, else syslog
// (facility mail). A message is a list of parts: trusted text verbatim and
// Untrusted{value} parts, which are always sanitised (sanitize_for_log), e.g.
//   log_error("request failed: ", Untrusted{e.what()});
#include <string>
#include <string_view>

#include "boxwarden/log_sanitize.h"

namespace boxwarden::policyd {

enum class LogLevel { Error, Warning, Info, Debug };

// Before any thread starts: where log lines go.
void log_to_stderr();
void log_to_syslog(const char* ident);

using boxwarden::Untrusted;

void log_message(LogLevel level, std::string_view message);

template <typename... Parts>
void log_error(const Parts&... parts) {
    log_message(LogLevel::Error, compose_log_line(parts...));
}
template <typename... Parts>
void log_warning(const Parts&... parts) {
    log_message(LogLevel::Warning, compose_log_line(parts...));
}
template <typename... Parts>
void log_info(const Parts&... parts) {
    log_message(LogLevel::Info, compose_log_line(parts...));
}

}  // namespace boxwarden::policyd
