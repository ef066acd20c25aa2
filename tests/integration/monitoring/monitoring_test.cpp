// boxwarden-policyd's metrics_listen scraped with curl while it serves, and
// boxwardenctl status's exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)
// against a real policyd whose database the test stops.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <sstream>

#include "policyd_harness.h"
#include "test_database.h"

namespace boxwarden::policyd::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The value of one sample line ("name{labels} value") of a scrape; -1 when absent.
double sample(const std::string& text, const std::string& name) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    return -1;
}

std::string scrape(int port) {
    std::string out;
    run_shell("curl -fsS --max-time 5 http://127.0.0.1:" + std::to_string(port) + "/metrics", &out);
    return out;
}

int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : status;
}

class MonitoringTest : public ::testing::Test {
  protected:
    void start_policyd(const std::string& db_socket, const std::string& db_name,
                       const std::string& cutoff = "30s") {
        port = free_port();
        PolicydProcess::Options o;
        o.dir = dir;
        o.db_socket = db_socket;
        o.db_name = db_name;
        o.cutoff = cutoff;
        o.full_reload_interval = "1s";
        o.extra_config = "metrics_listen = 127.0.0.1:" + std::to_string(port) + "\n";
        policyd = std::make_unique<PolicydProcess>(o);
        ASSERT_TRUE(policyd->start()) << policyd->log();
    }
    // boxwardenctl status against the test's policyd; the exit code, output in *out.
    int status(const std::string& extra, std::string* out) {
        return exit_code(run_shell(std::string(BOXWARDENCTL_PATH) + " status --socket " +
                                       policyd->query_socket() + " " + extra,
                                   out));
    }
    std::string dir;
    int port = 0;
    std::unique_ptr<PolicydProcess> policyd;
};

TEST_F(MonitoringTest, ScrapeShowsThePolicyRequestCounterAndLatencyMoving) {
    dir = test_dir("mon-scrape");
    boxwarden::testing::ScratchDatabase scratch;
    scratch.connect()->execute("INSERT INTO domain (name) VALUES ('example.de')");
    scratch.connect()->execute("CALL create_mailbox('info@example.de')");
    start_policyd(boxwarden::testing::test_mysql_socket(), scratch.name());

    const std::string before = scrape(port);
    ASSERT_NE(before.find("# TYPE boxwarden_policyd_policy_requests_total counter"),
              std::string::npos)
        << before << policyd->log();
    EXPECT_EQ(sample(before, "boxwarden_policyd_cache_mailboxes"), 1);
    EXPECT_EQ(sample(before, "boxwarden_policyd_cache_synced"), 1);
    const double requests = sample(before, "boxwarden_policyd_policy_requests_total");
    const double observed =
        sample(before, "boxwarden_policyd_request_duration_seconds_count{protocol=\"policy\"}");
    ASSERT_GE(requests, 0);
    ASSERT_GE(observed, 0);

    EXPECT_EQ(policyd->policy_action(rcpt_request("info@example.de")), "DUNNO");
    EXPECT_EQ(policyd->policy_action(rcpt_request("nobody@example.de")).substr(0, 3), "550");

    const std::string after = scrape(port);
    EXPECT_EQ(sample(after, "boxwarden_policyd_policy_requests_total"), requests + 2) << after;
    EXPECT_EQ(
        sample(after, "boxwarden_policyd_request_duration_seconds_count{protocol=\"policy\"}"),
        observed + 2);
    EXPECT_EQ(sample(after,
                     "boxwarden_policyd_request_duration_seconds_bucket{protocol=\"policy\","
                     "le=\"+Inf\"}"),
              observed + 2);

    // GET only; other paths are 404; policyd serves on after them.
    std::string code;
    run_shell("curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:" +
                  std::to_string(port) + "/metrics",
              &code);
    EXPECT_EQ(code, "405");
    run_shell("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" + std::to_string(port) +
                  "/nothing",
              &code);
    EXPECT_EQ(code, "404");
    EXPECT_EQ(policyd->policy_action(rcpt_request("info@example.de")), "DUNNO");
    EXPECT_EQ(policyd->stop(), 0) << policyd->log();
}

TEST_F(MonitoringTest, NonLoopbackMetricsListenIsAConfigurationError) {
    dir = test_dir("mon-config");
    PolicydProcess::Options o;
    o.dir = dir;
    o.db_socket = boxwarden::testing::test_mysql_socket();
    o.db_name = "unused";
    o.extra_config = "metrics_listen = 0.0.0.0:9154\n";
    PolicydProcess p(o);
    EXPECT_FALSE(p.start(false));
    std::string out;
    EXPECT_EQ(exit_code(run_shell(
                  std::string(POLICYD_PATH) + " --check-config --config " + p.config_path(), &out)),
              2);
    EXPECT_NE(out.find("metrics_listen: not a loopback address in '0.0.0.0:9154'"),
              std::string::npos)
        << out;
}

// Own MariaDB, so that the test may stop it: OK, then WARNING (not synced
// for --warn-cache-age), then CRITICAL (older than cutoff); UNKNOWN when
// policyd does not answer.
TEST_F(MonitoringTest, StatusExitCodesFollowTheCacheAge) {
    dir = test_dir("mon-status");
    PrivateMariadb mariadb(dir + "/mysql");
    ASSERT_TRUE(mariadb.create_and_start());
    ::setenv("BOXWARDEN_TEST_MYSQL_SOCKET", mariadb.socket().c_str(), 1);
    auto scratch = std::make_unique<boxwarden::testing::ScratchDatabase>();
    scratch->connect()->execute("INSERT INTO domain (name) VALUES ('example.de')");
    start_policyd(mariadb.socket(), scratch->name(), "4s");

    std::string out;
    EXPECT_EQ(status("", &out), 0) << out;
    EXPECT_EQ(out.rfind("BOXWARDEN OK - cache synced ", 0), 0u) << out;
    EXPECT_EQ(status("--json", &out), 0);
    EXPECT_NE(out.find("\"state\": \"OK\""), std::string::npos) << out;

    ASSERT_TRUE(mariadb.stop());
    ASSERT_TRUE(wait_until([&] { return status("--warn-cache-age 1s", &out) == 1; }, 10s))
        << out << policyd->log();
    EXPECT_NE(out.find("BOXWARDEN WARNING - cache not synced for "), std::string::npos) << out;
    ASSERT_TRUE(wait_until([&] { return status("--warn-cache-age 1s", &out) == 2; }, 15s)) << out;
    EXPECT_NE(out.find("BOXWARDEN CRITICAL - cache older than cutoff 4s: answers are tempfail"),
              std::string::npos)
        << out;

    EXPECT_EQ(policyd->stop(), 0);
    EXPECT_EQ(status("", &out), 3);
    EXPECT_EQ(out.substr(0, 20), "BOXWARDEN UNKNOWN - ") << out;
    ::unsetenv("BOXWARDEN_TEST_MYSQL_SOCKET");
    scratch.reset();
}

}  // namespace
}  // namespace boxwarden::policyd::testing
