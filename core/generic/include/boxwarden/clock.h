#pragma once
// Time sources. Decision logic takes a Clock (or a time point) as input so it
// can be tested without waiting; daemons pass SystemClock.
#include <chrono>

namespace boxwarden {

// Wall-clock times are microseconds since the Unix epoch (UTC). Microseconds
// are what SQL DATETIME(6) stores, and int64 microseconds reach +-292,000
// years, so every DATETIME(6) value (1000-01-01 .. 9999-12-31 23:59:59.999999)
// round-trips. (system_clock's own nanoseconds only reach 1677..2262: year
// 9999 wrapped to 1816.)
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
using Seconds = std::chrono::seconds;

// The range of SQL DATETIME, which every time given from outside (protocol
// attributes, CLI options) must lie in: 1000-01-01 00:00:00 ..
// 9999-12-31 23:59:59.999999 UTC.
inline constexpr TimePoint kEarliestTime{
    std::chrono::sys_days{std::chrono::year{1000} / 1 / 1}.time_since_epoch()};
inline constexpr TimePoint kLatestTime{
    std::chrono::sys_days{std::chrono::year{10000} / 1 / 1}.time_since_epoch() -
    std::chrono::microseconds{1}};
constexpr bool in_datetime_range(TimePoint t) {
    return t >= kEarliestTime && t <= kLatestTime;
}

// Activity and agent-log times (sql/migrations/0004: the log procedures
// refuse anything else): 1970-01-01 00:00:00 .. 2199-12-31 23:59:59.999999
// UTC. Checked where a log write arrives, so a bad time is refused to its
// sender instead of being spooled and then refused by SQL.
inline constexpr TimePoint kEarliestLogTime{};
inline constexpr TimePoint kLatestLogTime{
    std::chrono::sys_days{std::chrono::year{2200} / 1 / 1}.time_since_epoch() -
    std::chrono::microseconds{1}};
constexpr bool in_log_time_range(TimePoint t) {
    return t >= kEarliestLogTime && t <= kLatestLogTime;
}

// The current wall-clock time (system_clock::now() is nanoseconds and does
// not convert implicitly).
inline TimePoint wall_clock_now() {
    return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
}

class Clock {
  public:
    virtual ~Clock() = default;
    // Wall-clock time (UTC), comparable with timestamps stored in SQL.
    virtual TimePoint now() const = 0;
    // Monotonic time, for measuring ages and intervals (immune to clock steps).
    virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
  public:
    TimePoint now() const override { return wall_clock_now(); }
    std::chrono::steady_clock::time_point steady_now() const override {
        return std::chrono::steady_clock::now();
    }
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(TimePoint start = TimePoint{}) : wall_(start) {}
    TimePoint now() const override { return wall_; }
    std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
    void advance(std::chrono::microseconds d) {
        wall_ += d;
        steady_ += d;
    }
    void set_wall(TimePoint t) { wall_ = t; }

  private:
    TimePoint wall_;
    std::chrono::steady_clock::time_point steady_{};
};

}  // namespace boxwarden
