#pragma once
// Operational log of the daemon: stderr in the foreground, else syslog
// (facility mail). Callers pass untrusted values through sanitize_for_log.
#include <string>
#include <string_view>

namespace boxwarden::policyd {

enum class LogLevel { Error, Warning, Info, Debug };

// Before any thread starts: where log lines go.
void log_to_stderr();
void log_to_syslog(const char* ident);

void log_message(LogLevel level, std::string_view message);
inline void log_error(std::string_view m) {
    log_message(LogLevel::Error, m);
}
inline void log_warning(std::string_view m) {
    log_message(LogLevel::Warning, m);
}
inline void log_info(std::string_view m) {
    log_message(LogLevel::Info, m);
}

}  // namespace boxwarden::policyd
