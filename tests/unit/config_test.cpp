#include <gtest/gtest.h>

#include <fstream>

#include "boxwarden/config.h"

namespace boxwarden {
namespace {

std::string error_of(std::string_view text) {
    try {
        Config::parse(text, "/etc/boxwarden/boxwarden.conf");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(Config, DefaultsApplyWhenUnset) {
    Config c = Config::defaults();
    EXPECT_EQ(c.get_string("db_name"), "boxwarden");
    EXPECT_EQ(c.get_duration("cutoff"), std::chrono::minutes(30));
    EXPECT_EQ(c.get_duration("refresh_interval"), std::chrono::seconds(1));
    EXPECT_EQ(c.get_int("db_port"), 3306);
    EXPECT_FALSE(c.is_set("db_name"));
}

TEST(Config, ParsesKeyValueLinesCommentsAndQuotes) {
    Config c = Config::parse(
        "# comment\n\n  db_name = mail  \ndb_password = \"p w=#\"\ncutoff=90s\r\nrefresh_interval "
        "= 500ms\n",
        "test");
    EXPECT_EQ(c.get_string("db_name"), "mail");
    EXPECT_EQ(c.get_string("db_password"), "p w=#");
    EXPECT_EQ(c.get_duration("cutoff"), std::chrono::seconds(90));
    EXPECT_EQ(c.get_duration("refresh_interval"), std::chrono::milliseconds(500));
    EXPECT_TRUE(c.is_set("db_name"));
}

TEST(Config, ErrorsNameFileLineAndKey) {
    EXPECT_EQ(error_of("db_name = x\nfrobnicate = 1\n"),
              "/etc/boxwarden/boxwarden.conf:2: unknown key 'frobnicate'");
    EXPECT_EQ(error_of("\n\njust words\n"),
              "/etc/boxwarden/boxwarden.conf:3: malformed line (expected 'key = value')");
    EXPECT_EQ(error_of("= x\n"),
              "/etc/boxwarden/boxwarden.conf:1: malformed line (empty key before '=')");
    EXPECT_EQ(
        error_of("db_port = http\n"),
        "/etc/boxwarden/boxwarden.conf:1: key 'db_port': expected a whole number, got 'http'");
    EXPECT_EQ(error_of("db_port = 70000\n"),
              "/etc/boxwarden/boxwarden.conf:1: key 'db_port': expected 1 to 65535, got 70000");
    EXPECT_EQ(error_of("cutoff = 31m\n"),
              "/etc/boxwarden/boxwarden.conf:1: key 'cutoff': expected 1s to 30m, got 31m");
    EXPECT_EQ(error_of("cutoff = soon\n"),
              "/etc/boxwarden/boxwarden.conf:1: key 'cutoff': expected a duration like 500ms, 2s, "
              "30m or 1h, got 'soon'");
    EXPECT_EQ(error_of("db_name = a\ndb_name = b\n"),
              "/etc/boxwarden/boxwarden.conf:2: key 'db_name' already set on line 1");
}

TEST(Config, MissingFileIsAClearError) {
    try {
        Config::load("/nonexistent/boxwarden.conf");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(
            std::string(e.what()).find("/nonexistent/boxwarden.conf: cannot read configuration"),
            std::string::npos);
    }
}

TEST(Config, LoadsAFile) {
    const std::string path = ::testing::TempDir() + "/bw.conf";
    std::ofstream(path) << "db_socket = /tmp/x.sock\n";
    EXPECT_EQ(Config::load(path).get_string("db_socket"), "/tmp/x.sock");
}

TEST(Config, SetValidatesOverrides) {
    Config c = Config::defaults();
    c.set("cutoff", "5s");
    EXPECT_EQ(c.get_duration("cutoff"), std::chrono::seconds(5));
    EXPECT_THROW(c.set("cutoff", "2h"), ConfigError);
    EXPECT_THROW(c.set("nope", "1"), ConfigError);
}

TEST(Config, EveryKeyHasAValidDefault) {
    for (const auto& k : known_config_keys()) {
        if (k.default_value.empty()) continue;
        EXPECT_NO_THROW(
            Config::parse(std::string(k.name) + " = " + std::string(k.default_value), "x"))
            << k.name;
    }
}

TEST(Config, DurationsAndBooleans) {
    EXPECT_EQ(parse_duration("1h"), std::chrono::hours(1));
    EXPECT_EQ(parse_duration("15"), std::chrono::seconds(15));
    EXPECT_FALSE(parse_duration("-1s"));
    EXPECT_FALSE(parse_duration("1d"));
    EXPECT_FALSE(parse_duration(""));
    EXPECT_EQ(parse_bool("Yes"), true);
    EXPECT_EQ(parse_bool("off"), false);
    EXPECT_FALSE(parse_bool("maybe"));
}

}  // namespace
}  // namespace boxwarden
