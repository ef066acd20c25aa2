#include "logger.h"

#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace boxwarden::policyd {

namespace {

std::atomic<bool> use_syslog{false};

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::Error:
            return "error";
        case LogLevel::Warning:
            return "warning";
        case LogLevel::Info:
            return "info";
        case LogLevel::Debug:
            return "debug";
    }
    return "info";
}

int syslog_priority(LogLevel level) {
    switch (level) {
        case LogLevel::Error:
            return LOG_ERR;
        case LogLevel::Warning:
            return LOG_WARNING;
        case LogLevel::Info:
            return LOG_INFO;
        case LogLevel::Debug:
            return LOG_DEBUG;
    }
    return LOG_INFO;
}

}  // namespace

void log_to_stderr() {
    use_syslog = false;
}

void log_to_syslog(const char* ident) {
    ::openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
    use_syslog = true;
}

void log_message(LogLevel level, std::string_view message) {
    if (use_syslog) {
        ::syslog(syslog_priority(level), "%s: %.*s", std::string(level_name(level)).c_str(),
                 static_cast<int>(message.size()), message.data());
        return;
    }
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    // One write per line so lines of several threads never interleave.
    std::string line = std::string(stamp) + " boxwarden-policyd " + std::string(level_name(level)) +
                       ": " + std::string(message) + "\n";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace boxwarden::policyd
