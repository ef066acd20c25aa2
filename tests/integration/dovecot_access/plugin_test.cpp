// The plugin's IMAP/POP3 side against a private Dovecot from the shipped
// templates and the real boxwarden-policyd: a master-login session ends
// with a BYE once its login is unassigned (plain SQL or boxwardenctl), the
// other sessions on the mailbox go on; a SELECT after the unassignment is
// refused at once; actions on mails become agent-log rows (read, answered,
// moved with its folder, deleted; POP3 RETR) visible per the VIP rules.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <iostream>

#include "access_fixture.h"
#include "imap_connection.h"
#include "policyd_harness.h"

namespace boxwarden::testing {
namespace {

using boxwarden::policyd::testing::PolicydProcess;
using boxwarden::policyd::testing::wait_until;
using Clock = std::chrono::steady_clock;

class PluginAccess : public DovecotAccess {
  protected:
    void SetUp() override {
        DovecotAccess::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        seed();
        db->execute("CALL assign_user('info@example.test', 'bob')");
        PolicydProcess::Options o;
        o.dir = (dovecot_dir().string() + "-p");
        std::filesystem::remove_all(o.dir);
        std::filesystem::create_directories(o.dir);
        o.db_socket = test_mysql_socket();
        o.db_name = scratch->name();
        o.socket_mode = "0666";  // imap and pop3 run as the mail user (nobody)
        daemon = std::make_unique<PolicydProcess>(o);
        ASSERT_TRUE(daemon->start()) << daemon->log();
    }
    void TearDown() override {
        stop_dovecot();
        if (daemon && daemon->running()) {
            EXPECT_EQ(daemon->stop(), 0) << daemon->log();
        }
        if (daemon && !HasFailure()) std::filesystem::remove_all(dovecot_dir().string() + "-p");
        daemon.reset();
        DovecotAccess::TearDown();
    }
    void start(const std::string& recheck = "1s", const std::string& more_lines = "") {
        start_dovecot(DOVECOT_PLUGIN_MODULE, daemon->query_socket(),
                      "  boxwarden_assignment_recheck = " + recheck + more_lines);
    }
    // A logged-in IMAP session with INBOX selected.
    std::unique_ptr<ImapConnection> open_session(const std::string& user,
                                                 const std::string& password) {
        auto s = std::make_unique<ImapConnection>(imap_port());
        EXPECT_TRUE(s->connected());
        s->read_until("* OK");
        EXPECT_NE(s->command("a", "LOGIN \"" + user + "\" \"" + password + "\"").find("a OK"),
                  std::string::npos)
            << dovecot_log();
        EXPECT_NE(s->command("b", "SELECT INBOX").find("b OK"), std::string::npos) << dovecot_log();
        return s;
    }
    // Waits until policyd's cache no longer lists `mailbox` for `login`.
    bool policyd_sees_unassigned(const std::string& login, const std::string& mailbox) {
        return wait_until([&] {
            auto r = daemon->query("request=user\nlogin=" + login + "\n\n");
            return r["status"] == "ok" && r["mailboxes"].find(mailbox) == std::string::npos;
        });
    }
    std::int64_t rows(const std::string& sql) {
        return std::stoll(db->query("SELECT COUNT(*) AS n FROM (" + sql + ") x")[0].str("n"));
    }
    bool wait_rows(const std::string& sql, std::int64_t n) {
        return wait_until([&] { return rows(sql) >= n; });
    }
    // How long until `session` gets its BYE (and the connection closes).
    double seconds_until_bye(ImapConnection& session, Clock::time_point since) {
        const std::string got = session.read_until("* BYE", 30000);
        EXPECT_NE(got.find("* BYE Access revoked: anna is no longer assigned to info@example.test"),
                  std::string::npos)
            << got << dovecot_log();
        const double s = std::chrono::duration<double>(Clock::now() - since).count();
        session.read_until("never-sent", 5000);
        EXPECT_TRUE(session.eof());
        return s;
    }

    std::unique_ptr<PolicydProcess> daemon;
};

TEST_F(PluginAccess, APlainSqlUnassignEndsOnlyThatUsersSessionWithABye) {
    start();
    auto anna = open_session("info@example.test*anna", "AnnaPass-1");
    auto bob = open_session("info@example.test*bob", "BobPass-1");
    auto own = open_session("info@example.test", "InfoPass-1");
    const auto t0 = Clock::now();
    db->execute(
        "UPDATE mailbox_assignment SET unassigned_at = UTC_TIMESTAMP(6) WHERE unassigned_at IS "
        "NULL AND user_id = (SELECT id FROM user_account WHERE login = 'anna')");
    const double s = seconds_until_bye(*anna, t0);
    std::cout << "[ measure ] session ended " << s
              << " s after the plain-SQL unassign (recheck 1 s, policyd refresh 200 ms)\n";
    // Recheck interval + policyd's refresh, with room for a loaded machine.
    EXPECT_LT(s, 5.0);
    // The other sessions on the mailbox go on.
    EXPECT_NE(bob->command("c", "NOOP").find("c OK"), std::string::npos) << bob->received();
    EXPECT_NE(own->command("c", "NOOP").find("c OK"), std::string::npos) << own->received();
    // And a new master login is refused.
    EXPECT_FALSE(imap_login("info@example.test*anna", "AnnaPass-1"));
}

TEST_F(PluginAccess, BoxwardenctlUnassignEndsTheSessionToo) {
    start();
    auto anna = open_session("info@example.test*anna", "AnnaPass-1");
    auto bob = open_session("info@example.test*bob", "BobPass-1");
    const auto t0 = Clock::now();
    auto r = ctl({"assignments", "remove", "info@example.test", "anna"});
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    const double s = seconds_until_bye(*anna, t0);
    std::cout << "[ measure ] session ended " << s << " s after boxwardenctl assignments remove\n";
    EXPECT_LT(s, 5.0);
    EXPECT_NE(bob->command("c", "NOOP").find("c OK"), std::string::npos) << bob->received();
}

TEST_F(PluginAccess, ASelectAfterTheUnassignIsRefusedAtOnce) {
    start("1h");  // only the SELECT can notice
    auto anna = open_session("info@example.test*anna", "AnnaPass-1");
    db->execute("CALL unassign_user('info@example.test', 'anna')");
    ASSERT_TRUE(policyd_sees_unassigned("anna", "info@example.test"));
    const std::string got = anna->command("c", "SELECT INBOX");
    EXPECT_NE(got.find("c NO [NOPERM] Access revoked"), std::string::npos) << got;
    EXPECT_NE(anna->read_until("* BYE", 5000).find("* BYE Access revoked"), std::string::npos)
        << anna->received();
    // Still assigned: a SELECT goes on as before (the control).
    auto bob = open_session("info@example.test*bob", "BobPass-1");
    EXPECT_NE(bob->command("c", "SELECT INBOX").find("c OK"), std::string::npos);
}

TEST_F(PluginAccess, ActionsOfAnAssignedUserAreAgentLogRowsPerTheVipRules) {
    db->execute("UPDATE mailbox SET vip = 1 WHERE address = 'info@example.test'");
    // bob may see unprotected entries, but he is not assigned at the time.
    db->execute("CALL unassign_user('info@example.test', 'bob')");
    db->execute("UPDATE user_account SET activity_access = 1 WHERE login = 'bob'");
    start();
    ASSERT_EQ(lmtp_deliver("info@example.test", "<m1@test>").substr(0, 7), "<-  250")
        << dovecot_log();
    const std::string port = std::to_string(imap_port());
    const std::string as_anna = "info@example.test*anna";

    ASSERT_TRUE(client({"imap-flag", port, as_anna, "AnnaPass-1", "\\Seen"}).ok());
    const std::string read_rows =
        "SELECT id FROM agent_log WHERE login = 'anna' AND action = 'read' AND message_id = "
        "'<m1@test>' AND vip_protected = 1 AND folder IS NULL";
    ASSERT_TRUE(wait_rows(read_rows, 1)) << daemon->log() << dovecot_log();
    EXPECT_EQ(db->query("CALL visible_agent_log('anna')").size(), 1u);
    EXPECT_EQ(db->query("CALL visible_agent_log('bob')").size(), 0u);

    ASSERT_TRUE(client({"imap-flag", port, as_anna, "AnnaPass-1", "\\Answered"}).ok());
    ASSERT_TRUE(wait_rows("SELECT id FROM agent_log WHERE action = 'answered'", 1));
    // Setting \Seen again is no new action.
    ASSERT_TRUE(client({"imap-flag", port, as_anna, "AnnaPass-1", "\\Seen"}).ok());

    ASSERT_TRUE(client({"imap-move", port, as_anna, "AnnaPass-1", "Archive"}).ok());
    ASSERT_TRUE(
        wait_rows("SELECT id FROM agent_log WHERE login = 'anna' AND action = 'moved' AND folder = "
                  "'Archive' AND message_id = '<m1@test>'",
                  1))
        << daemon->log() << dovecot_log();
    // The move's expunge is not a deletion; the second \Seen is no read.
    EXPECT_EQ(rows("SELECT id FROM agent_log WHERE action = 'deleted'"), 0);
    EXPECT_EQ(rows("SELECT id FROM agent_log WHERE action = 'read'"), 1);
    EXPECT_EQ(db->query("CALL visible_agent_log('anna')").size(), 3u);
}

TEST_F(PluginAccess, DeletionsAndReadsWithTheMailboxPasswordHaveNoUser) {
    start();
    ASSERT_EQ(lmtp_deliver("info@example.test", "<m2@test>").substr(0, 7), "<-  250");
    const std::string port = std::to_string(imap_port());
    // FETCH BODY[] sets \Seen implicitly.
    ASSERT_TRUE(client({"imap-read", port, "info@example.test", "InfoPass-1"}).ok());
    ASSERT_TRUE(wait_rows(
        "SELECT id FROM agent_log WHERE login = '' AND user_id IS NULL AND action = 'read' AND "
        "message_id = '<m2@test>'",
        1))
        << daemon->log() << dovecot_log();
    ASSERT_TRUE(client({"imap-expunge", port, "info@example.test*anna", "AnnaPass-1"}).ok());
    ASSERT_TRUE(wait_rows(
        "SELECT id FROM agent_log WHERE login = 'anna' AND action = 'deleted' AND message_id = "
        "'<m2@test>'",
        1));
    // \Deleted then EXPUNGE is one deletion.
    EXPECT_EQ(rows("SELECT id FROM agent_log WHERE action = 'deleted'"), 1);
}

TEST_F(PluginAccess, APop3RetrIsARead) {
    start();
    ASSERT_EQ(lmtp_deliver("info@example.test", "<m3@test>").substr(0, 7), "<-  250");
    ASSERT_TRUE(
        client({"pop3-retr", std::to_string(pop3_port()), "info@example.test*anna", "AnnaPass-1"})
            .ok());
    EXPECT_TRUE(wait_rows(
        "SELECT id FROM agent_log WHERE login = 'anna' AND action = 'read' AND message_id = "
        "'<m3@test>'",
        1))
        << daemon->log() << dovecot_log();
}

// Agent-log entries never hold up an IMAP command: they are sent without
// waiting for policyd's reply. Entries made while policyd is stopped, hung
// or killed with the entry in flight reach the agent log once policyd is
// back: on the next command or at the logout.
TEST_F(PluginAccess, EntriesMadeWhilePolicydIsDownArriveOnceAndNoCommandWaitsForIt) {
    // A timeout the old synchronous writes would have waited out: a command
    // that waited for policyd would take 10 s; one that does not, well under
    // half of that even on a loaded machine.
    start("1s", "\n  boxwarden_timeout = 10s");
    for (int i = 1; i <= 4; ++i)
        ASSERT_EQ(
            lmtp_deliver("info@example.test", "<s" + std::to_string(i) + "@test>").substr(0, 7),
            "<-  250")
            << dovecot_log();
    // The mailbox's own password: no assignment rechecks in between.
    auto s = open_session("info@example.test", "InfoPass-1");
    auto timed = [&](const std::string& tag, const std::string& command) {
        const auto t0 = Clock::now();
        const std::string got = s->command(tag, command);
        const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        EXPECT_NE(got.find(tag + " OK"), std::string::npos) << got << dovecot_log();
        std::cout << "[ measure ] " << command << ": " << secs << " s\n";
        return secs;
    };
    const std::string reads = "SELECT id FROM agent_log WHERE action = 'read' AND login = ''";
    timed("c1", "STORE 1 +FLAGS (\\Seen)");
    ASSERT_TRUE(wait_rows(reads, 1)) << daemon->log() << dovecot_log();

    // Stopped: the entry stays in the session.
    ASSERT_EQ(daemon->stop(), 0) << daemon->log();
    EXPECT_LT(timed("c2", "STORE 2 +FLAGS (\\Seen)"), 5.0);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    // Back: the next command sends the kept entry before its own.
    timed("c3", "STORE 3 +FLAGS (\\Seen)");
    ASSERT_TRUE(wait_rows(reads, 3)) << daemon->log() << dovecot_log();

    // Hung (SIGSTOP): the command does not wait for the reply...
    daemon->signal(SIGSTOP);
    EXPECT_LT(timed("c4", "STORE 4 +FLAGS (\\Seen)"), 5.0);
    // ...and policyd dies with the entry unanswered; it comes back before
    // the logout, which sends the entry again on a new connection.
    daemon->signal(SIGKILL);
    daemon->stop();
    ASSERT_TRUE(daemon->start()) << daemon->log();
    EXPECT_NE(s->command("c5", "LOGOUT").find("c5 OK"), std::string::npos) << s->received();
    ASSERT_TRUE(wait_rows(reads, 4)) << daemon->log() << dovecot_log();
    // Once each, none lost or doubled.
    EXPECT_EQ(rows(reads), 4);
    EXPECT_EQ(rows("SELECT DISTINCT message_id FROM agent_log WHERE action = 'read'"), 4);
    EXPECT_EQ(dovecot_log().find("agent-log entry lost"), std::string::npos) << dovecot_log();
}

TEST_F(PluginAccess, AnInactiveMailboxLogsInAndSendsButGetsNoNewMail) {
    start();
    EXPECT_EQ(lmtp_deliver("old@example.test").substr(0, 13), "<** 550 5.2.1") << dovecot_log();
    EXPECT_TRUE(imap_login("old@example.test", "OldPass-1"));
    start_postfix();
    EXPECT_TRUE(smtp_send("old@example.test", "OldPass-1", "old@example.test"));
}

}  // namespace
}  // namespace boxwarden::testing
