#include "metrics_exposition.h"

#include <charconv>
#include <string_view>

#include "boxwarden/prometheus_text.h"

namespace boxwarden::policyd {

namespace {

struct StatusMetric {
    std::string_view attribute;  // of request=status
    std::string_view name;
    std::string_view type;
    double scale;  // value * scale (cache_age_ms -> seconds)
    std::string_view help;
};

constexpr StatusMetric kStatusMetrics[] = {
    {"uptime_seconds", "boxwarden_policyd_uptime_seconds", "gauge", 1, "seconds since start"},
    {"cache_synced", "boxwarden_policyd_cache_synced", "gauge", 1,
     "1 once the configuration cache has loaded"},
    {"cache_age_ms", "boxwarden_policyd_cache_age_seconds", "gauge", 0.001,
     "time since the last successful cache sync"},
    {"cache_stale", "boxwarden_policyd_cache_stale", "gauge", 1,
     "1 when the cache is older than cutoff (database-dependent answers defer)"},
    {"cutoff_seconds", "boxwarden_policyd_cutoff_seconds", "gauge", 1, "the configured cutoff"},
    {"cache_version", "boxwarden_policyd_cache_version", "gauge", 1,
     "the change_marker version the cache has seen"},
    {"domains", "boxwarden_policyd_cache_domains", "gauge", 1, "domains in the cache"},
    {"mailboxes", "boxwarden_policyd_cache_mailboxes", "gauge", 1, "mailboxes in the cache"},
    {"users", "boxwarden_policyd_cache_users", "gauge", 1, "users in the cache"},
    {"assignments", "boxwarden_policyd_cache_assignments", "gauge", 1,
     "current assignments in the cache"},
    {"spool_depth", "boxwarden_policyd_spool_depth", "gauge", 1,
     "log entries waiting in the spool (not yet in MySQL)"},
    {"log_submitted", "boxwarden_policyd_log_submitted_total", "counter", 1,
     "log entries accepted by the log writer"},
    {"log_written", "boxwarden_policyd_log_written_total", "counter", 1,
     "log entries written to MySQL"},
    {"log_rejected", "boxwarden_policyd_log_rejected_total", "counter", 1,
     "log entries the database refused (moved aside)"},
    {"log_database_ok", "boxwarden_policyd_log_database_ok", "gauge", 1,
     "1 while the log writer reaches MySQL"},
    {"policy_requests", "boxwarden_policyd_policy_requests_total", "counter", 1,
     "Postfix policy requests served"},
    {"query_requests", "boxwarden_policyd_query_requests_total", "counter", 1,
     "internal query/log requests served"},
    {"connections", "boxwarden_policyd_connections_open", "gauge", 1, "open client connections"},
    {"connections_total", "boxwarden_policyd_connections_total", "counter", 1,
     "client connections accepted"},
    {"connections_refused", "boxwarden_policyd_connections_refused_total", "counter", 1,
     "connections closed at accept (per-peer limit or not allowed)"},
    {"connections_denied", "boxwarden_policyd_connections_denied_total", "counter", 1,
     "of those, peers not in the allow-list"},
    {"protocol_errors", "boxwarden_policyd_protocol_errors_total", "counter", 1,
     "connections closed for malformed input"},
};

const std::string* find(const AttrList& attrs, std::string_view name) {
    for (const auto& [k, v] : attrs)
        if (k == name) return &v;
    return nullptr;
}

}  // namespace

std::string policyd_metrics_text(const AttrList& status, const ServerStats& stats) {
    PrometheusText t;
    for (const StatusMetric& m : kStatusMetrics) {
        const std::string* v = find(status, m.attribute);
        if (v == nullptr || v->empty()) continue;
        std::int64_t n = 0;
        const auto r = std::from_chars(v->data(), v->data() + v->size(), n);
        if (r.ec != std::errc() || r.ptr != v->data() + v->size()) continue;
        t.family(m.name, m.type, m.help);
        if (m.type == "counter" && n >= 0)
            t.sample(m.name, {}, static_cast<std::uint64_t>(n));
        else
            t.sample(m.name, {}, static_cast<double>(n) * m.scale);
    }
    t.family("boxwarden_policyd_request_duration_seconds", "histogram",
             "time from a complete request to its answer (query requests that wait for the spool "
             "or the database include the wait for a worker)");
    t.histogram("boxwarden_policyd_request_duration_seconds", {{"protocol", "policy"}},
                stats.policy_latency.snapshot());
    t.histogram("boxwarden_policyd_request_duration_seconds", {{"protocol", "query"}},
                stats.query_latency.snapshot());
    return t.take();
}

}  // namespace boxwarden::policyd
