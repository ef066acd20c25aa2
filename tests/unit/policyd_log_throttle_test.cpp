// Rate-limited client-triggered log lines: the first of each kind always
// logged, the rest counted and summarised once per window.
#include "log_throttle.h"

#include <gtest/gtest.h>

namespace boxwarden::policyd {
namespace {

using namespace std::chrono_literals;

TEST(PolicydLogThrottle, FirstLinesOfEachKindPassTheRestAreSummarised) {
    LogThrottle t(2, 10s);
    const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
    EXPECT_TRUE(t.admit("550 5.1.1", t0));
    EXPECT_TRUE(t.admit("550 5.1.1", t0));
    for (int i = 0; i < 1000; ++i) EXPECT_FALSE(t.admit("550 5.1.1", t0 + 1s));
    // Another kind is not hidden behind the flood.
    EXPECT_TRUE(t.admit("553 5.7.1", t0 + 2s));
    EXPECT_EQ(t.take_summary(t0 + 5s), std::nullopt);  // window not over
    EXPECT_EQ(t.take_summary(t0 + 10s), "1000 550 5.1.1");
    EXPECT_EQ(t.take_summary(t0 + 11s), std::nullopt);  // reported once
    // A new window lets the first lines through again.
    EXPECT_TRUE(t.admit("550 5.1.1", t0 + 12s));
}

TEST(PolicydLogThrottle, SummaryNamesEveryKindThatWasCut) {
    LogThrottle t(1, 10s);
    const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
    for (int i = 0; i < 4; ++i) t.admit("a", t0);
    for (int i = 0; i < 3; ++i) t.admit("b", t0);
    EXPECT_EQ(t.take_summary(t0 + 10s), "3 a, 2 b");
}

}  // namespace
}  // namespace boxwarden::policyd
