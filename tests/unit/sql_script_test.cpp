#include <gtest/gtest.h>

#include "boxwarden/db.h"
#include "boxwarden/sql_script.h"

namespace boxwarden {
namespace {

TEST(SqlScript, SplitsOnSemicolonsOutsideQuotesAndComments) {
    auto st = split_sql_script(
        "-- header\nCREATE TABLE a (x INT); # note\n"
        "INSERT INTO a VALUES (';'), (\"\\\";\"), ('it''s;');\n/* ; */ SELECT `a;b` FROM a;");
    ASSERT_EQ(st.size(), 3u);
    EXPECT_EQ(st[0].text, "CREATE TABLE a (x INT)");
    EXPECT_EQ(st[0].line, 2u);
    EXPECT_EQ(st[1].text, "INSERT INTO a VALUES (';'), (\"\\\";\"), ('it''s;')");
    EXPECT_EQ(st[2].text, "SELECT `a;b` FROM a");
    EXPECT_EQ(st[2].line, 4u);
}

TEST(SqlScript, DelimiterLinesChangeTheTerminator) {
    auto st = split_sql_script(
        "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\n"
        "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1//\nDELIMITER ;\nSELECT "
        "3;\n");
    ASSERT_EQ(st.size(), 3u);
    EXPECT_EQ(st[0].text, "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END");
    EXPECT_EQ(st[2].text, "SELECT 3");
}

TEST(SqlScript, UnterminatedQuoteIsAnError) {
    EXPECT_THROW(split_sql_script("SELECT 'abc;\n"), std::runtime_error);
    EXPECT_THROW(split_sql_script("SELECT /* x"), std::runtime_error);
}

TEST(SqlScript, TheShippedMigrationsSplit) {
    // Sanity: every shipped migration splits without error into statements.
    for (const char* f : {"0001_tables.sql", "0002_rules.sql", "0003_interface.sql"}) {
        std::string path = std::string(BOXWARDEN_SOURCE_DIR) + "/sql/migrations/" + f;
        FILE* fp = std::fopen(path.c_str(), "rb");
        ASSERT_NE(fp, nullptr) << path;
        std::string text;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, fp)) > 0) text.append(buf, n);
        std::fclose(fp);
        EXPECT_GT(split_sql_script(text).size(), 3u) << f;
    }
}

TEST(SqlDatetime, RoundTripsMicroseconds) {
    auto t = db::parse_sql_datetime("2026-11-27 11:05:21.123456");
    ASSERT_TRUE(t);
    EXPECT_EQ(db::format_sql_datetime(*t), "2026-11-27 11:05:21.123456");
    EXPECT_EQ(db::format_sql_datetime(*db::parse_sql_datetime("2026-01-02 03:04:05")),
              "2026-01-02 03:04:05.000000");
    EXPECT_EQ(db::format_sql_datetime(*db::parse_sql_datetime("2026-01-02 03:04:05.5")),
              "2026-01-02 03:04:05.500000");
    EXPECT_FALSE(db::parse_sql_datetime("2026-02-30 00:00:00"));
    EXPECT_FALSE(db::parse_sql_datetime("yesterday"));
}

TEST(DbErrors, ClassificationNeverTurnsOutagesIntoAnswers) {
    using db::ErrorKind;
    EXPECT_EQ(db::classify_error(2002, "HY000"), ErrorKind::Temporary);  // socket missing
    EXPECT_EQ(db::classify_error(2006, "HY000"), ErrorKind::Temporary);  // gone away
    EXPECT_EQ(db::classify_error(2013, "HY000"), ErrorKind::Temporary);  // lost
    EXPECT_EQ(db::classify_error(1213, "40001"), ErrorKind::Temporary);  // deadlock
    EXPECT_EQ(db::classify_error(1205, "HY000"), ErrorKind::Temporary);  // lock wait
    EXPECT_EQ(db::classify_error(1047, "08S01"), ErrorKind::Temporary);  // Galera not ready
    EXPECT_EQ(db::classify_error(1644, "45000"), ErrorKind::Rule);       // SIGNAL
    EXPECT_EQ(db::classify_error(1062, "23000"), ErrorKind::Rule);       // duplicate
    EXPECT_EQ(db::classify_error(4025, "23000"), ErrorKind::Rule);       // CHECK
    EXPECT_EQ(db::classify_error(1366, "HY000"), ErrorKind::Rule);       // bad string
    EXPECT_EQ(db::classify_error(1064, "42000"), ErrorKind::Permanent);  // syntax
    EXPECT_EQ(db::classify_error(1045, "28000"), ErrorKind::Permanent);  // access denied
}

}  // namespace
}  // namespace boxwarden
