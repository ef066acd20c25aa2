#pragma once
// Rate limit for log lines a client can trigger: per kind (e.g. "550 5.1.1"),
// the first lines_per_window lines of each window are logged, the rest only
// counted; the next window start yields one summary of what was left out.
// Not thread-safe: one owner (the event loop).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace boxwarden::policyd {

class LogThrottle {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    LogThrottle(std::uint64_t lines_per_window, std::chrono::steady_clock::duration window)
        : limit_(lines_per_window), window_(window) {}

    // True when a line of this kind may be logged now; false counts it.
    bool admit(std::string_view kind, TimePoint now);
    // After a window with suppressed lines: "N <kind>, M <kind>" (once).
    std::optional<std::string> take_summary(TimePoint now);

  private:
    struct Count {
        std::uint64_t admitted = 0;
        std::uint64_t suppressed = 0;
    };
    void roll(TimePoint now);

    std::uint64_t limit_;
    std::chrono::steady_clock::duration window_;
    bool started_ = false;
    TimePoint start_{};
    std::map<std::string, Count, std::less<>> counts_;
    std::string pending_;
};

}  // namespace boxwarden::policyd
