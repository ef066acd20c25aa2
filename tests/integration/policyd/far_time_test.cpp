// Times at the ends of the SQL DATETIME range through the real daemon: an
// out-of-office with the usual "no end" 9999-12-31 used to come back as
// 1816-03-30 (nanosecond time points wrapped), and activity times beyond
// 2262 were stored wrapped.
#include <gtest/gtest.h>

#include <filesystem>

#include "policyd_harness.h"
#include "test_database.h"

namespace boxwarden::policyd::testing {
namespace {

using namespace std::chrono_literals;

class PolicydFarTimeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db = scratch.connect();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        db->execute("CALL create_mailbox(?)", {std::string("info@example.de")});
        db->execute(
            "UPDATE mailbox SET ooo_enabled = 1, ooo_subject = 'Weg', ooo_start = "
            "'2020-01-01 00:00:00', ooo_end = '9999-12-31 00:00:00' WHERE address = "
            "'info@example.de'");
        PolicydProcess::Options o;
        o.dir = test_dir("far-time") + "/policyd";
        std::filesystem::create_directories(o.dir);
        o.db_socket = boxwarden::testing::test_mysql_socket();
        o.db_name = scratch.name();
        daemon = std::make_unique<PolicydProcess>(o);
        ASSERT_TRUE(daemon->start()) << daemon->log();
    }
    boxwarden::testing::ScratchDatabase scratch;
    std::unique_ptr<db::Connection> db;
    std::unique_ptr<PolicydProcess> daemon;
};

TEST_F(PolicydFarTimeTest, OooEndingIn9999IsReportedAsStoredAndInEffect) {
    auto m = daemon->query("request=mailbox\naddress=info@example.de\n\n");
    EXPECT_EQ(m["status"], "ok");
    EXPECT_EQ(m["ooo_end"], "9999-12-31 00:00:00.000000");
    EXPECT_EQ(m["ooo_start"], "2020-01-01 00:00:00.000000");
    // In effect now: the database's own claim agrees.
    EXPECT_EQ(
        daemon->query(
            "request=ooo_claim\nmailbox=info@example.de\nsender=x@example.org\n\n")["should_reply"],
        "1");
}

TEST_F(PolicydFarTimeTest, ActivityTimesKeepTheirYearOrAreRefused) {
    // The log tables take 1970 .. 2199 (migration 0004); policyd refuses
    // anything else to its sender instead of spooling what SQL will refuse.
    auto w = daemon->query(
        "request=record_activity\nevent_id=far-1\nmailbox=info@example.de\ndirection=received\n"
        "occurred_at=2199-12-31 23:59:59.999999\n\n");
    EXPECT_EQ(w["status"], "ok") << w["reason"];
    w = daemon->query(
        "request=record_activity\nevent_id=far-2\nmailbox=info@example.de\ndirection=received\n"
        "occurred_at=1970-01-01 00:00:00\n\n");
    EXPECT_EQ(w["status"], "ok") << w["reason"];
    for (const char* at : {"9999-12-31 23:59:59", "1600-01-01 00:00:00", "2200-01-01 00:00:00"}) {
        auto out_of_range = daemon->query(
            std::string("request=record_activity\nevent_id=far-x\nmailbox=info@example.de\n"
                        "direction=received\noccurred_at=") +
            at + "\n\n");
        EXPECT_EQ(out_of_range["status"], "error") << at;
        EXPECT_NE(out_of_range["reason"].find("outside the log time range"), std::string::npos)
            << out_of_range["reason"];
    }
    auto refused = daemon->query(
        "request=record_activity\nevent_id=far-3\nmailbox=info@example.de\ndirection=received\n"
        "occurred_at=253402300800\n\n");
    EXPECT_EQ(refused["status"], "error");
    EXPECT_NE(refused["reason"].find("attribute occurred_at is not a time"), std::string::npos)
        << refused["reason"];
    EXPECT_TRUE(wait_until(
        [&] {
            return db->query("SELECT COUNT(*) AS n FROM activity WHERE event_id LIKE 'far-%'")[0]
                       .i64("n") == 2;
        },
        20s))
        << daemon->log();
    auto rows = db->query(
        "SELECT event_id, CAST(occurred_at AS CHAR) AS at FROM activity WHERE event_id LIKE "
        "'far-%' ORDER BY event_id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].str("at"), "2199-12-31 23:59:59.999999");
    EXPECT_EQ(rows[1].str("at"), "1970-01-01 00:00:00.000000");
}

}  // namespace
}  // namespace boxwarden::policyd::testing
