#pragma once
// Counters the server keeps and the status request reports.
#include <atomic>
#include <cstdint>

#include "boxwarden/latency_histogram.h"

namespace boxwarden::policyd {

struct ServerStats {
    std::atomic<std::uint64_t> policy_requests{0};
    std::atomic<std::uint64_t> query_requests{0};
    std::atomic<std::uint64_t> connections_open{0};
    std::atomic<std::uint64_t> connections_total{0};
    std::atomic<std::uint64_t> connections_refused{0};  // per-peer limit or not allowed
    std::atomic<std::uint64_t> connections_denied{0};   // not in the allow-list
    std::atomic<std::uint64_t> protocol_errors{0};      // connections closed for bad input
    // Complete request to answer (metrics_listen, docs/monitoring.md).
    LatencyHistogram policy_latency;
    LatencyHistogram query_latency;
};

}  // namespace boxwarden::policyd
