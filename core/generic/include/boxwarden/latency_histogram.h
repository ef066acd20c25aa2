#pragma once
// A request-latency histogram with fixed buckets (docs/monitoring.md):
// observe() from any thread without a lock, snapshot() for the Prometheus
// exposition. The bounds are the same for every histogram of boxwarden, so
// dashboards can compare them.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace boxwarden {

class LatencyHistogram {
  public:
    // Upper bounds in microseconds: 100 µs .. 10 s.
    static constexpr std::array<std::uint64_t, 14> kBoundsUs{
        100,    250,    500,     1'000,   2'500,   5'000,     10'000,
        25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 10'000'000};
    static constexpr std::size_t kBuckets = kBoundsUs.size();

    struct Snapshot {
        // cumulative[i]: observations <= kBoundsUs[i] (Prometheus' "le").
        std::array<std::uint64_t, kBuckets> cumulative{};
        std::uint64_t count = 0;  // also the +Inf bucket
        std::uint64_t sum_us = 0;
    };

    void observe(std::chrono::microseconds d) {
        const std::uint64_t us = d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count());
        std::size_t i = 0;
        while (i < kBuckets && us > kBoundsUs[i]) ++i;
        counts_[i].fetch_add(1, std::memory_order_relaxed);
        sum_us_.fetch_add(us, std::memory_order_relaxed);
    }
    template <class Rep, class Period>
    void observe(std::chrono::duration<Rep, Period> d) {
        observe(std::chrono::duration_cast<std::chrono::microseconds>(d));
    }

    // Not one atomic read, but self-consistent: count is the sum of the
    // buckets read, so the cumulative counts never exceed it.
    Snapshot snapshot() const {
        Snapshot s;
        std::uint64_t running = 0;
        for (std::size_t i = 0; i < kBuckets; ++i) {
            running += counts_[i].load(std::memory_order_relaxed);
            s.cumulative[i] = running;
        }
        s.count = running + counts_[kBuckets].load(std::memory_order_relaxed);
        s.sum_us = sum_us_.load(std::memory_order_relaxed);
        return s;
    }

  private:
    std::array<std::atomic<std::uint64_t>, kBuckets + 1> counts_{};  // last: above every bound
    std::atomic<std::uint64_t> sum_us_{0};
};

// Measures from construction to destruction into a histogram.
class LatencyTimer {
  public:
    explicit LatencyTimer(LatencyHistogram& h) : h_(h), start_(std::chrono::steady_clock::now()) {}
    ~LatencyTimer() { h_.observe(std::chrono::steady_clock::now() - start_); }
    LatencyTimer(const LatencyTimer&) = delete;
    LatencyTimer& operator=(const LatencyTimer&) = delete;

  private:
    LatencyHistogram& h_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace boxwarden
