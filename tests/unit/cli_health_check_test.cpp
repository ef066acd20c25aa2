// boxwardenctl status's judgement of policyd's status reply (cli/src/health_check):
// the Nagios exit codes and the one-line summary.
#include <gtest/gtest.h>

#include "health_check.h"

namespace boxwarden::cli {
namespace {

std::map<std::string, std::string> healthy() {
    return {{"cache_synced", "1"},      {"cache_age_ms", "128"}, {"cache_stale", "0"},
            {"cutoff_seconds", "1800"}, {"mailboxes", "5"},      {"spool_depth", "0"},
            {"log_database_ok", "1"}};
}

TEST(HealthCheck, Ok) {
    const HealthVerdict v = judge_health(healthy(), {});
    EXPECT_EQ(v.code, kHealthOk);
    EXPECT_TRUE(v.problems.empty());
    EXPECT_EQ(v.summary,
              "BOXWARDEN OK - cache synced 0.1s ago, 5 mailboxes, spool 0 | spool_depth=0;1000 "
              "mailboxes=5 cache_age=128ms;60000;1800000");
}

TEST(HealthCheck, WarningCases) {
    auto s = healthy();
    s["cache_age_ms"] = "61000";
    HealthVerdict v = judge_health(s, {});
    EXPECT_EQ(v.code, kHealthWarning);
    EXPECT_EQ(v.problems.at(0), "cache not synced for 61.0s (database unreachable?)");
    s = healthy();
    s["log_database_ok"] = "0";
    EXPECT_EQ(judge_health(s, {}).code, kHealthWarning);
    s = healthy();
    s["spool_depth"] = "1000";
    v = judge_health(s, {});
    EXPECT_EQ(v.code, kHealthWarning);
    EXPECT_EQ(v.summary.substr(0, 60),
              "BOXWARDEN WARNING - 1000 log entries waiting in the spool | ");
    HealthThresholds t;
    t.warn_spool_depth = 2000;
    EXPECT_EQ(judge_health(s, t).code, kHealthOk);
}

TEST(HealthCheck, CriticalCases) {
    auto s = healthy();
    s["cache_stale"] = "1";
    s["cache_age_ms"] = "1900000";
    HealthVerdict v = judge_health(s, {});
    EXPECT_EQ(v.code, kHealthCritical);
    EXPECT_EQ(v.problems.size(), 1u);  // stale, not also "not synced for"
    EXPECT_EQ(v.problems[0], "cache older than cutoff 1800s: answers are tempfail");
    s = healthy();
    s["cache_synced"] = "0";
    s["cache_age_ms"] = "";
    s["log_database_ok"] = "0";
    v = judge_health(s, {});
    EXPECT_EQ(v.code, kHealthCritical);
    ASSERT_EQ(v.problems.size(), 2u);  // critical first, then the warning
    EXPECT_EQ(v.problems[0], "cache never loaded (database unreachable since start)");
}

TEST(HealthCheck, UnknownCases) {
    auto s = healthy();
    s.erase("spool_depth");
    EXPECT_EQ(judge_health(s, {}).code, kHealthUnknown);
    s = healthy();
    s["mailboxes"] = "many";
    EXPECT_EQ(judge_health(s, {}).code, kHealthUnknown);
    const HealthVerdict v = unknown_health("policyd at /x did not answer: connect: refused");
    EXPECT_EQ(v.code, kHealthUnknown);
    EXPECT_EQ(v.summary, "BOXWARDEN UNKNOWN - policyd at /x did not answer: connect: refused");
}

}  // namespace
}  // namespace boxwarden::cli
