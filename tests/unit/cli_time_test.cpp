// boxwardenctl's --start/--end parsing (cli/src/context.h parse_utc_time):
// the whole SQL DATETIME range, nothing beyond.
#include <gtest/gtest.h>

#include "context.h"

namespace boxwarden::cli {
namespace {

TEST(CliTime, TheUsualNoEndDateIsAccepted) {
    EXPECT_EQ(parse_utc_time("9999-12-31", "--end"), "9999-12-31 00:00:00");
    EXPECT_EQ(parse_utc_time("9999-12-31T23:59:59Z", "--end"), "9999-12-31 23:59:59");
    EXPECT_EQ(parse_utc_time("1000-01-01", "--start"), "1000-01-01 00:00:00");
    EXPECT_EQ(parse_utc_time("1600-01-01 08:00", "--start"), "1600-01-01 08:00:00");
}

TEST(CliTime, TimesOutsideDatetimeAreUsageErrors) {
    for (const char* bad : {"0999-12-31", "0000-01-01", "tomorrow", "2026-02-30"}) {
        try {
            parse_utc_time(bad, "--end");
            ADD_FAILURE() << bad;
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("--end must be a UTC time from 1000-01-01 to "
                                                 "9999-12-31 23:59:59"),
                      std::string::npos)
                << e.what();
        }
    }
}

}  // namespace
}  // namespace boxwarden::cli
