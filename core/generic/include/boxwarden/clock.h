#pragma once
// Time sources. Decision logic takes a Clock (or a time point) as input so it
// can be tested without waiting; daemons pass SystemClock.
#include <chrono>

namespace boxwarden {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

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
    TimePoint now() const override { return std::chrono::system_clock::now(); }
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
