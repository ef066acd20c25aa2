// policyd's /metrics text (policyd/src/metrics_exposition): the status
// reply's numbers under their metric names and types, the latency
// histograms of ServerStats.
#include <gtest/gtest.h>

#include "metrics_exposition.h"

namespace boxwarden::policyd {
namespace {

TEST(PolicydMetrics, StatusNumbersBecomeMetrics) {
    ServerStats stats;
    stats.policy_latency.observe(std::chrono::microseconds(30));
    stats.query_latency.observe(std::chrono::milliseconds(3));
    stats.query_latency.observe(std::chrono::milliseconds(30));
    const AttrList status{
        {"status", "ok"},        {"uptime_seconds", "3"}, {"cache_synced", "1"},
        {"cache_age_ms", "128"}, {"cache_stale", "0"},    {"mailboxes", "5"},
        {"spool_depth", "0"},    {"log_written", "7"},    {"policy_requests", "4"},
        {"query_requests", "3"}, {"connections", "1"},    {"some_future_field", "9"}};
    const std::string text = policyd_metrics_text(status, stats);
    EXPECT_NE(text.find("# TYPE boxwarden_policyd_policy_requests_total counter\n"
                        "boxwarden_policyd_policy_requests_total 4\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE boxwarden_policyd_cache_age_seconds gauge\n"
                        "boxwarden_policyd_cache_age_seconds 0.128\n"),
              std::string::npos);
    EXPECT_NE(text.find("boxwarden_policyd_cache_mailboxes 5\n"), std::string::npos);
    EXPECT_NE(text.find("boxwarden_policyd_log_written_total 7\n"), std::string::npos);
    EXPECT_NE(text.find("boxwarden_policyd_connections_open 1\n"), std::string::npos);
    EXPECT_EQ(text.find("some_future_field"), std::string::npos);
    EXPECT_EQ(text.find("status"), std::string::npos);
    EXPECT_NE(text.find("# TYPE boxwarden_policyd_request_duration_seconds histogram\n"),
              std::string::npos);
    EXPECT_NE(
        text.find("boxwarden_policyd_request_duration_seconds_count{protocol=\"policy\"} 1\n"),
        std::string::npos);
    EXPECT_NE(text.find("boxwarden_policyd_request_duration_seconds_bucket{protocol=\"query\","
                        "le=\"0.005\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("boxwarden_policyd_request_duration_seconds_count{protocol=\"query\"} 2\n"),
              std::string::npos);
}

TEST(PolicydMetrics, EmptyValuesAreLeftOut) {
    ServerStats stats;
    const std::string text =
        policyd_metrics_text({{"cache_synced", "0"}, {"cache_age_ms", ""}}, stats);
    EXPECT_NE(text.find("boxwarden_policyd_cache_synced 0\n"), std::string::npos);
    EXPECT_EQ(text.find("cache_age"), std::string::npos);
}

}  // namespace
}  // namespace boxwarden::policyd
