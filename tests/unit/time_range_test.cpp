// Wall-clock times span the whole SQL DATETIME(6) range: the finding was that
// nanosecond time points wrapped 9999-12-31 to 1816-03-30.
#include <gtest/gtest.h>

#include "boxwarden/clock.h"
#include "boxwarden/db.h"

namespace boxwarden {
namespace {

TEST(TimeRange, EveryDatetimeBoundaryRoundTrips) {
    for (const char* text :
         {"1000-01-01 00:00:00.000000", "1600-01-01 00:00:00.000000", "1677-09-21 00:12:43.145224",
          "1970-01-01 00:00:00.000000", "2262-04-11 23:47:16.854776", "9999-12-31 23:59:59.000000",
          "9999-12-31 23:59:59.999999"}) {
        const auto t = db::parse_sql_datetime(text);
        ASSERT_TRUE(t.has_value()) << text;
        EXPECT_EQ(db::format_sql_datetime(*t), text);
        EXPECT_TRUE(in_datetime_range(*t)) << text;
    }
}

TEST(TimeRange, OrderSurvivesTheOldWrapPoints) {
    const auto end = db::parse_sql_datetime("9999-12-31 23:59:59").value();
    const auto early = db::parse_sql_datetime("1600-01-01 00:00:00").value();
    const auto now = SystemClock().now();
    EXPECT_LT(now, end);
    EXPECT_GT(now, early);
}

TEST(TimeRange, LimitsAreTheDatetimeRange) {
    EXPECT_EQ(db::format_sql_datetime(kEarliestTime), "1000-01-01 00:00:00.000000");
    EXPECT_EQ(db::format_sql_datetime(kLatestTime), "9999-12-31 23:59:59.999999");
    EXPECT_FALSE(in_datetime_range(kLatestTime + std::chrono::microseconds(1)));
    EXPECT_FALSE(in_datetime_range(kEarliestTime - std::chrono::microseconds(1)));
    const auto year999 = db::parse_sql_datetime("0999-12-31 23:59:59");
    ASSERT_TRUE(year999.has_value());           // SQL reads are taken as stored...
    EXPECT_FALSE(in_datetime_range(*year999));  // ... input is refused.
}

}  // namespace
}  // namespace boxwarden
