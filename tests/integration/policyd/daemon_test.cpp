// The real boxwarden-policyd against a scratch database: both protocols over
// unix sockets, malformed input, plain-SQL changes, start without a
// database, SIGHUP, SIGTERM, exit codes.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "policyd_harness.h"
#include "test_database.h"

namespace boxwarden::policyd::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kDisabled = "550 5.2.1 Mailbox disabled";

class PolicydDaemonTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = test_dir("d-" + std::string(info->name()).substr(0, 24));
        db = scratch.connect();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        for (const char* a : {"info@example.de", "sales@example.de", "old@example.de"})
            db->execute("CALL create_mailbox(?)", {std::string(a)});
        db->execute("UPDATE mailbox SET active = 0 WHERE address = 'old@example.de'");
        db->execute(
            "INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna Schmidt'), "
            "('carla', 'Carla')");
        db->execute("CALL assign_user('info@example.de', 'anna')");
    }
    void TearDown() override {
        if (daemon) {
            const int rc = daemon->stop();
            EXPECT_EQ(rc, 0) << daemon->log();
        }
    }
    PolicydProcess::Options options() {
        PolicydProcess::Options o;
        o.dir = dir;
        o.db_socket = boxwarden::testing::test_mysql_socket();
        o.db_name = scratch.name();
        return o;
    }
    void start(PolicydProcess::Options o) {
        daemon = std::make_unique<PolicydProcess>(std::move(o));
        ASSERT_TRUE(daemon->start()) << daemon->log();
    }
    void start() { start(options()); }
    std::string action(const std::string& recipient, const std::string& sender = "a@example.org",
                       const std::string& login = "") {
        return daemon->policy_action(rcpt_request(recipient, sender, login));
    }
    // The daemon still answers a good request on a new connection.
    void expect_still_serving() {
        EXPECT_EQ(action("info@example.de"), "DUNNO") << daemon->log();
        EXPECT_EQ(action("old@example.de"), kDisabled);
    }

    boxwarden::testing::ScratchDatabase scratch;
    std::unique_ptr<db::Connection> db;
    std::string dir;
    std::unique_ptr<PolicydProcess> daemon;
};

TEST_F(PolicydDaemonTest, RecipientVerdictsThroughThePolicySocket) {
    start();
    EXPECT_EQ(action("info@example.de"), "DUNNO");
    EXPECT_EQ(action("Info+tag@Example.de"), "DUNNO");
    EXPECT_EQ(action("old@example.de"), kDisabled);
    EXPECT_EQ(action("nobody@example.de"), "550 5.1.1 Mailbox unknown");
    EXPECT_EQ(action("someone@example.org"), "DUNNO");
    EXPECT_EQ(daemon->policy_action("request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\n"
                                    "recipient=old@example.de\n\n"),
              "DUNNO");
}

TEST_F(PolicydDaemonTest, SenderChecksForAuthenticatedLogins) {
    start();
    // The mailbox's own login, and a user assigned to it, may send as it.
    EXPECT_EQ(action("x@example.org", "info@example.de", "info@example.de"), "DUNNO");
    EXPECT_EQ(action("x@example.org", "info@example.de", "anna"), "DUNNO");
    // A user not assigned to it may not.
    EXPECT_EQ(action("x@example.org", "info@example.de", "carla"),
              "553 5.7.1 Sender address <info@example.de> is not owned by the authenticated "
              "login");
    EXPECT_EQ(action("x@example.org", "stranger@example.org", "anna"),
              "553 5.7.1 Sender address <stranger@example.org> is not a mailbox hosted here");
    // An inactive mailbox may still send.
    EXPECT_EQ(action("x@example.org", "old@example.de", "old@example.de"), "DUNNO");
    // Unauthenticated senders are left to Postfix.
    EXPECT_EQ(action("x@example.org", "info@example.de", ""), "DUNNO");
    // Assignment changes by plain SQL reach the check.
    db->execute("CALL assign_user('info@example.de', 'carla')");
    EXPECT_TRUE(wait_until(
        [&] { return action("x@example.org", "info@example.de", "carla") == "DUNNO"; }, 10s));
}

TEST_F(PolicydDaemonTest, PlainSqlDeactivationAndReactivationTakeEffect) {
    start();
    EXPECT_EQ(action("sales@example.de"), "DUNNO");
    db->execute("UPDATE mailbox SET active = 0 WHERE address = 'sales@example.de'");
    EXPECT_TRUE(wait_until([&] { return action("sales@example.de") == kDisabled; }, 10s))
        << daemon->log();
    db->execute("UPDATE mailbox SET active = 1 WHERE address = 'sales@example.de'");
    EXPECT_TRUE(wait_until([&] { return action("sales@example.de") == "DUNNO"; }, 10s));
}

TEST_F(PolicydDaemonTest, PipelinedRequestsAreAnsweredInOrder) {
    start();
    Client c = Client::connect_unix(daemon->policy_socket());
    std::string batch;
    for (int i = 0; i < 200; ++i)
        batch += rcpt_request(i % 2 ? "old@example.de" : "info@example.de");
    ASSERT_TRUE(c.send(batch));
    for (int i = 0; i < 200; ++i) {
        auto reply = c.read_reply();
        ASSERT_TRUE(reply.has_value()) << i;
        EXPECT_EQ(parse_reply(*reply)["action"], i % 2 ? kDisabled : "DUNNO") << i;
    }
}

TEST_F(PolicydDaemonTest, MalformedPolicyInputClosesTheConnectionOnly) {
    start();
    Client keep = Client::connect_unix(daemon->policy_socket());
    ASSERT_TRUE(keep.send(rcpt_request("info@example.de")));
    ASSERT_TRUE(keep.read_reply().has_value());

    {  // a line without '='
        Client c = Client::connect_unix(daemon->policy_socket());
        c.send("request=smtpd_access_policy\nthis line has no equals sign\n\n");
        EXPECT_FALSE(c.read_reply(2s).has_value());
        EXPECT_TRUE(c.wait_closed());
    }
    {  // a 70 KiB request
        Client c = Client::connect_unix(daemon->policy_socket());
        std::string big = "request=smtpd_access_policy\n";
        for (int i = 0; i < 70; ++i)
            big += "x" + std::to_string(i) + "=" + std::string(1000, 'a') + "\n";
        c.send(big + "recipient=info@example.de\n\n");
        EXPECT_FALSE(c.read_reply(2s).has_value());
        EXPECT_TRUE(c.wait_closed());
    }
    {  // invalid UTF-8 in the recipient
        Client c = Client::connect_unix(daemon->policy_socket());
        c.send(rcpt_request("in\xff\xfeo@example.de"));
        EXPECT_FALSE(c.read_reply(2s).has_value());
        EXPECT_TRUE(c.wait_closed());
    }
    {  // a good request answered before a bad one is still answered
        Client c = Client::connect_unix(daemon->policy_socket());
        c.send(rcpt_request("old@example.de") + "garbage\n\n");
        auto reply = c.read_reply();
        ASSERT_TRUE(reply.has_value());
        EXPECT_EQ(parse_reply(*reply)["action"], kDisabled);
        EXPECT_TRUE(c.wait_closed());
    }
    // 1000 connections opened and dropped, some in the middle of a request.
    for (int i = 0; i < 1000; ++i) {
        Client c = Client::connect_unix(daemon->policy_socket());
        ASSERT_TRUE(c.connected()) << i;
        if (i % 3 == 0) c.send("request=smtpd_access_policy\nrecipient=info@exa");
    }
    expect_still_serving();
    // The long-lived connection was never disturbed.
    ASSERT_TRUE(keep.send(rcpt_request("old@example.de")));
    auto reply = keep.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(parse_reply(*reply)["action"], kDisabled);
    EXPECT_TRUE(
        wait_until([&] { return daemon->query("request=status\n\n")["connections"] == "2"; }, 10s))
        << daemon->query("request=status\n\n")["connections"];
    const std::string log = daemon->log();
    EXPECT_NE(log.find("line without '='"), std::string::npos) << log;
    EXPECT_NE(log.find("request too large"), std::string::npos);
    EXPECT_NE(log.find("invalid UTF-8 in recipient: in\\xff\\xfeo@example.de"), std::string::npos);
}

TEST_F(PolicydDaemonTest, QuerySocketLookups) {
    db->execute(
        "UPDATE mailbox SET email_name = 'Müller Immobilien', vip = 1, ooo_enabled = 1, "
        "ooo_subject = 'Urlaub', ooo_body = 'Bis Montag.\\nGrüße' WHERE address = "
        "'info@example.de'");
    start();
    auto m = daemon->query("request=mailbox\naddress=info@example.de\n\n");
    EXPECT_EQ(m["status"], "ok");
    EXPECT_EQ(m["email_name"], "Müller Immobilien");
    EXPECT_EQ(m["vip"], "1");
    EXPECT_EQ(m["ooo_body"], "Bis Montag.%0AGrüße");  // escaped on the wire
    EXPECT_EQ(m["verdict"], "deliver");
    auto old = daemon->query("request=verdict\naddress=old@example.de\n\n");
    EXPECT_EQ(old["verdict"], "reject-disabled");
    EXPECT_EQ(old["enhanced_code"], "5.2.1");
    auto u = daemon->query("request=user\nlogin=anna\n\n");
    EXPECT_EQ(u["display_name"], "Anna Schmidt");
    EXPECT_EQ(u["mailboxes"], "info@example.de");
    EXPECT_EQ(daemon->query("request=user\nlogin=nobody\n\n")["status"], "notfound");
    auto s = daemon->query("request=status\n\n");
    EXPECT_EQ(s["status"], "ok");
    EXPECT_EQ(s["mailboxes"], "3");
    EXPECT_EQ(s["cache_synced"], "1");
}

TEST_F(PolicydDaemonTest, QuerySocketErrorsKeepTheConnectionFramingErrorsClose) {
    start();
    Client c = Client::connect_unix(daemon->query_socket());
    c.send("request=frobnicate\n\nrequest=mailbox\n\nrequest=status\n\n");
    auto r1 = parse_reply(c.read_reply().value_or(""));
    EXPECT_EQ(r1["status"], "error");
    EXPECT_EQ(r1["reason"], "unknown request 'frobnicate'");
    auto r2 = parse_reply(c.read_reply().value_or(""));
    EXPECT_EQ(r2["reason"], "missing attribute address");
    EXPECT_EQ(parse_reply(c.read_reply().value_or(""))["status"], "ok");
    c.send("request=mailbox\naddress=bad%zz\n\n");
    EXPECT_FALSE(c.read_reply(2s).has_value());
    EXPECT_TRUE(c.wait_closed());
    EXPECT_EQ(daemon->query("request=status\n\n")["status"], "ok");
}

TEST_F(PolicydDaemonTest, ActivityWritesAndOutOfOfficeClaims) {
    db->execute(
        "UPDATE mailbox SET ooo_enabled = 1, ooo_subject = 'Weg' WHERE address = "
        "'sales@example.de'");
    start();
    auto w = daemon->query(
        "request=record_activity\nevent_id=it-1\nmailbox=info@example.de\ndirection=received\n"
        "occurred_at=2026-11-27 10:00:00\nmessage_id=<m1@x>\nsender=a@example.org\n"
        "recipients=info@example.de\nsubject=Hallo%0AWelt\n\n");
    EXPECT_EQ(w["status"], "ok") << w["reason"];
    auto a = daemon->query(
        "request=record_agent_action\nevent_id=it-2\nmailbox=info@example.de\nlogin=anna\n"
        "action=read\noccurred_at=2026-11-27 10:05:00\nmessage_id=<m1@x>\n\n");
    EXPECT_EQ(a["status"], "ok") << a["reason"];
    EXPECT_TRUE(wait_until(
        [&] {
            auto rows = db->query(
                "SELECT (SELECT COUNT(*) FROM activity WHERE event_id = 'it-1' AND subject = "
                "'Hallo\\nWelt') + (SELECT COUNT(*) FROM agent_log WHERE event_id = 'it-2') AS n");
            return rows[0].i64("n") == 2;
        },
        20s))
        << daemon->log();
    EXPECT_EQ(daemon->query("request=ooo_claim\nmailbox=sales@example.de\nsender=x@example.org\n\n")
                  ["should_reply"],
              "1");
    EXPECT_EQ(daemon->query("request=ooo_claim\nmailbox=sales@example.de\nsender=x@example.org\n\n")
                  ["should_reply"],
              "0");
    EXPECT_EQ(
        daemon->query(
            "request=ooo_claim\nmailbox=info@example.de\nsender=x@example.org\n\n")["should_reply"],
        "0");
}

TEST_F(PolicydDaemonTest, StartsWithoutDatabaseAndTempfailsUntilFirstSync) {
    auto o = options();
    // The configured socket does not exist yet: MySQL is "down" at start.
    const std::string link = dir + "/db.sock";
    o.db_socket = link;
    daemon = std::make_unique<PolicydProcess>(o);
    ASSERT_TRUE(daemon->start(false)) << daemon->log();
    EXPECT_EQ(action("info@example.de"),
              "DEFER_IF_PERMIT 4.3.0 Mailbox state temporarily unavailable, try again later");
    EXPECT_EQ(daemon->query("request=mailbox\naddress=info@example.de\n\n")["status"], "tempfail");
    EXPECT_EQ(daemon->query("request=status\n\n")["cache_synced"], "0");
    EXPECT_TRUE(wait_until(
        [&] { return daemon->log().find("nothing loaded yet") != std::string::npos; }, 10s))
        << daemon->log();
    // The database "comes up".
    fs::create_symlink(boxwarden::testing::test_mysql_socket(), link);
    EXPECT_TRUE(wait_until([&] { return action("info@example.de") == "DUNNO"; }, 20s))
        << daemon->log();
}

TEST_F(PolicydDaemonTest, SighupReloadsLiveSettings) {
    start();
    EXPECT_EQ(action("info-tag@example.de"), "550 5.1.1 Mailbox unknown");
    {
        std::ofstream conf(daemon->config_path(), std::ios::app);
        conf << "recipient_delimiter = -\n";
    }
    daemon->signal(SIGHUP);
    EXPECT_TRUE(wait_until([&] { return action("info-tag@example.de") == "DUNNO"; }, 10s))
        << daemon->log();
    EXPECT_TRUE(wait_until(
        [&] { return daemon->log().find("SIGHUP: configuration reloaded") != std::string::npos; }));
}

TEST_F(PolicydDaemonTest, IdleConnectionsAreClosed) {
    auto o = options();
    o.idle_timeout = "1s";
    start(o);
    Client c = Client::connect_unix(daemon->policy_socket());
    ASSERT_TRUE(c.send(rcpt_request("info@example.de")));
    ASSERT_TRUE(c.read_reply().has_value());
    EXPECT_TRUE(c.wait_closed(10s));
}

TEST_F(PolicydDaemonTest, SigtermStopsCleanlyAndRemovesSockets) {
    start();
    Client idle = Client::connect_unix(daemon->policy_socket());
    ASSERT_TRUE(idle.connected());
    EXPECT_EQ(daemon->stop(), 0) << daemon->log();
    EXPECT_FALSE(fs::exists(daemon->policy_socket()));
    EXPECT_FALSE(fs::exists(daemon->query_socket()));
    EXPECT_NE(daemon->log().find("stopped"), std::string::npos);
    daemon.reset();
}

TEST_F(PolicydDaemonTest, DropsPrivilegesToRunUserAfterBinding) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    // The unprivileged user must be able to create its spool in the folder.
    fs::permissions(dir, fs::perms::all);
    auto o = options();
    o.run_user = "nobody";
    daemon = std::make_unique<PolicydProcess>(o);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    std::ifstream status("/proc/" + std::to_string(daemon->pid()) + "/status");
    std::string line, uid_line;
    while (std::getline(status, line))
        if (line.rfind("Uid:", 0) == 0) uid_line = line;
    std::string uids;
    run_shell("id -u nobody", &uids);
    uids.erase(uids.find_last_not_of("\n") + 1);
    EXPECT_EQ(uid_line, "Uid:\t" + uids + "\t" + uids + "\t" + uids + "\t" + uids);
    struct stat st {};
    ASSERT_EQ(::stat(daemon->policy_socket().c_str(), &st), 0);
    EXPECT_EQ(std::to_string(st.st_uid), uids);
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    ASSERT_EQ(::stat(daemon->query_socket().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    expect_still_serving();
    EXPECT_NE(daemon->log().find("running as user nobody"), std::string::npos);
}

TEST_F(PolicydDaemonTest, CheckConfigAndExitCodes) {
    PolicydProcess p(options());
    const std::string bin = POLICYD_PATH;
    EXPECT_EQ(run_shell(bin + " --check-config --config " + p.config_path()), 0);
    const std::string bad = dir + "/bad.conf";
    std::ofstream(bad) << "policy_listen = inet:0.0.0.0:25\n";
    std::string out;
    EXPECT_EQ(run_shell(bin + " --check-config --config " + bad, &out), 2);
    EXPECT_NE(out.find("only IPv4 loopback"), std::string::npos) << out;
    EXPECT_EQ(run_shell(bin + " --no-such-option"), 2);
    EXPECT_EQ(run_shell(bin + " --config " + dir + "/missing.conf"), 2);
}

}  // namespace
}  // namespace boxwarden::policyd::testing
