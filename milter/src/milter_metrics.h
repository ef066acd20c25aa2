#pragma once
// The milter's counters and latency histograms, served on
// milter_metrics_listen in the Prometheus text format (docs/monitoring.md).
// Updated from every libmilter thread without a lock.
#include <atomic>
#include <cstdint>
#include <string>

#include "boxwarden/latency_histogram.h"

namespace boxwarden::milter {

struct MilterMetrics {
    // Messages by outcome.
    std::atomic<std::uint64_t> unauthenticated{0};  // accepted at MAIL FROM, untouched
    std::atomic<std::uint64_t> accepted{0};         // authenticated, accepted at end of message
    std::atomic<std::uint64_t> rejected{0};         // 550 (From checks)
    std::atomic<std::uint64_t> tempfailed{0};       // 451 (policyd, MTA, internal error)
    std::atomic<std::uint64_t> rewritten{0};        // From display name changed
    std::atomic<std::uint64_t> cache_hits{0};       // submission look-ups answered by the cache
    std::atomic<std::uint64_t> cache_misses{0};     // ... that asked policyd
    LatencyHistogram lookup;                        // request=mailbox + request=user, pipelined
    LatencyHistogram mailbox;          // request=mailbox for a header From or the login
    LatencyHistogram record_activity;  // request=record_activity
    LatencyHistogram end_of_message;   // the whole end-of-message callback
};

// The exposition text of all of it.
std::string render_milter_metrics(const MilterMetrics& m);

}  // namespace boxwarden::milter
