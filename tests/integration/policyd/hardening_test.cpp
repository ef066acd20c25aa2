// Hardening of boxwarden-policyd (issue #7), through the real daemon: who may
// connect and how many, the per-request deadline, behaviour at
// max_connections, log rate limits, spool-only writes while the database
// hangs, socket clean-up after a privilege drop, never-reply senders and the
// periodic full reload.
#include <arpa/inet.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "policyd_harness.h"
#include "test_database.h"

namespace boxwarden::policyd::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

// Runs fn in a child process as nobody; returns its exit code (fn's result).
int as_nobody(const std::function<int()>& fn) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
            ::_exit(100);
        ::_exit(fn());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A TCP connection to 127.0.0.1:port from the given loopback source address.
int connect_inet(int port, const char* source) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &src.sin_addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1))
        ++n;
    return n;
}

class PolicydHardeningTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = test_dir("h-" + std::string(info->name()).substr(0, 24));
        fs::permissions(dir, fs::perms::all);  // nobody must reach the sockets
        scratch = std::make_unique<boxwarden::testing::ScratchDatabase>();
        db = scratch->connect();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        for (const char* a : {"info@example.de", "sales@example.de"})
            db->execute("CALL create_mailbox(?)", {std::string(a)});
        db->execute("UPDATE mailbox SET ooo_enabled = 1, ooo_subject = 'Weg'");
        db->execute("INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna')");
        db->execute("CALL assign_user('info@example.de', 'anna')");
    }
    void TearDown() override {
        if (daemon) {
            EXPECT_EQ(daemon->stop(), 0) << daemon->log();
        }
    }
    PolicydProcess::Options options() {
        PolicydProcess::Options o;
        o.dir = dir;
        o.db_socket = boxwarden::testing::test_mysql_socket();
        o.db_name = scratch->name();
        return o;
    }
    void start(PolicydProcess::Options o) {
        daemon = std::make_unique<PolicydProcess>(std::move(o));
        ASSERT_TRUE(daemon->start()) << daemon->log();
    }

    std::string dir;
    std::unique_ptr<boxwarden::testing::ScratchDatabase> scratch;
    std::unique_ptr<db::Connection> db;
    std::unique_ptr<PolicydProcess> daemon;
};

TEST_F(PolicydHardeningTest, PeersOutsideTheAllowListAreRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a second uid)";
    auto o = options();
    o.socket_mode = "0666";  // the allow-list, not the file mode, must refuse
    o.policy_allowed_users = "postfix";
    o.query_allowed_users = "postfix";
    start(o);
    const std::string policy = daemon->policy_socket();
    const std::string query = daemon->query_socket();
    EXPECT_EQ(as_nobody([&] {
                  for (const std::string& path : {policy, query}) {
                      Client c = Client::connect_unix(path);
                      if (!c.connected()) return 1;
                      c.send(path == policy ? rcpt_request("info@example.de")
                                            : std::string("request=status\n\n"));
                      if (c.read_reply(3s)) return 2;
                      if (!c.wait_closed(3s)) return 3;
                  }
                  return 0;
              }),
              0);
    EXPECT_EQ(daemon->policy_action(rcpt_request("info@example.de")), "DUNNO");  // root
    EXPECT_EQ(daemon->query("request=status\n\n")["connections_denied"], "2");
    EXPECT_NE(daemon->log().find("uid 65534 (nobody) is not in policy_allowed_users"),
              std::string::npos)
        << daemon->log();
    EXPECT_NE(daemon->log().find("uid 65534 (nobody) is not in query_allowed_users"),
              std::string::npos);
}

TEST_F(PolicydHardeningTest, OnePeerCannotTakeEveryConnection) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a second uid)";
    const int port = free_port();
    auto o = options();
    o.socket_mode = "0666";
    o.extra_policy_listen = ",inet:127.0.0.1:" + std::to_string(port);
    o.extra_config = "max_connections_per_uid = 3\n";
    start(o);
    const std::string policy = daemon->policy_socket();
    // Unix: the uid's fourth connection is closed; its first three still work.
    EXPECT_EQ(as_nobody([&] {
                  std::vector<Client> held;
                  for (int i = 0; i < 3; ++i) held.push_back(Client::connect_unix(policy));
                  Client extra = Client::connect_unix(policy);
                  if (!extra.wait_closed(5s)) return 1;
                  for (Client& c : held) {
                      if (!c.send(rcpt_request("info@example.de"))) return 2;
                      if (!c.read_reply(5s)) return 3;
                  }
                  return 0;
              }),
              0);
    // Inet: the limit is per source address.
    std::vector<int> held;
    for (int i = 0; i < 3; ++i) held.push_back(connect_inet(port, "127.0.0.2"));
    // The three held, and the status request's own.
    ASSERT_TRUE(
        wait_until([&] { return daemon->query("request=status\n\n")["connections"] == "4"; }, 10s));
    const int extra = connect_inet(port, "127.0.0.2");
    ASSERT_GE(extra, 0);
    char byte;
    EXPECT_EQ(::recv(extra, &byte, 1, 0), 0);  // closed by the daemon
    const int other = connect_inet(port, "127.0.0.3");
    const std::string request = rcpt_request("info@example.de");
    ASSERT_EQ(::send(other, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    char reply[256];
    EXPECT_GT(::recv(other, reply, sizeof reply, 0), 0);
    for (int fd : held) ::close(fd);
    ::close(extra);
    ::close(other);
    EXPECT_NE(daemon->log().find("already holds max_connections_per_uid (3)"), std::string::npos)
        << daemon->log();
    EXPECT_NE(daemon->log().find("every local user can connect"), std::string::npos);
}

TEST_F(PolicydHardeningTest, AtMaxConnectionsNewClientsWaitInTheBacklog) {
    auto o = options();
    o.extra_config = "max_connections = 5\n";
    start(o);
    std::vector<Client> idle;
    for (int i = 0; i < 5; ++i) idle.push_back(Client::connect_unix(daemon->policy_socket()));
    Client waiting = Client::connect_unix(daemon->policy_socket());
    ASSERT_TRUE(waiting.connected());
    ASSERT_TRUE(waiting.send(rcpt_request("info@example.de")));
    // Not answered while the slots are full, but not dropped either.
    EXPECT_FALSE(waiting.read_reply(1500ms).has_value());
    idle.pop_back();  // one slot frees
    auto reply = waiting.read_reply(5s);
    ASSERT_TRUE(reply.has_value()) << daemon->log();
    EXPECT_EQ(parse_reply(*reply)["action"], "DUNNO");
    EXPECT_NE(daemon->log().find("new connections wait in the listen backlog"), std::string::npos);
}

TEST_F(PolicydHardeningTest, RequestTrickledByteByByteIsClosedAtRequestTimeout) {
    auto o = options();
    o.idle_timeout = "60s";
    o.extra_config = "request_timeout = 2s\n";
    start(o);
    Client c = Client::connect_unix(daemon->policy_socket());
    const std::string request = rcpt_request("info@example.de");
    const auto t0 = std::chrono::steady_clock::now();
    bool closed = false;
    for (std::size_t i = 0; i + 1 < request.size() && !closed; ++i) {
        if (!c.send(request.substr(i, 1)))
            closed = true;
        else if (c.wait_closed(300ms))
            closed = true;
    }
    EXPECT_TRUE(closed);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
    EXPECT_NE(daemon->log().find("request not complete within request_timeout"), std::string::npos)
        << daemon->log();
    EXPECT_EQ(daemon->policy_action(request), "DUNNO");
}

TEST_F(PolicydHardeningTest, SocketsGetTheirConfiguredGroupAndMode) {
    auto o = options();
    o.policy_socket_group = "postfix";
    o.query_socket_group = "nogroup";
    daemon = std::make_unique<PolicydProcess>(o);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    struct stat st {};
    ASSERT_EQ(::stat(daemon->policy_socket().c_str(), &st), 0);
    EXPECT_EQ(st.st_gid, ::getgrnam("postfix")->gr_gid);
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    ASSERT_EQ(::stat(daemon->query_socket().c_str(), &st), 0);
    EXPECT_EQ(st.st_gid, ::getgrnam("nogroup")->gr_gid);
    EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(PolicydHardeningTest, SocketsAreRemovedAfterPrivilegeDropOrTheLogSaysWhy) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    const std::string locked = dir + "/L";  // short: sun_path holds 108 bytes
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
    auto o = options();
    o.run_user = "nobody";
    o.extra_policy_listen = ",unix:" + locked + "/p.sock";
    start(o);
    EXPECT_EQ(daemon->stop(), 0) << daemon->log();
    EXPECT_FALSE(fs::exists(daemon->policy_socket()));
    EXPECT_FALSE(fs::exists(daemon->query_socket()));
    // nobody cannot write the root-owned folder: the socket stays, and the
    // log says so.
    EXPECT_TRUE(fs::exists(locked + "/p.sock"));
    EXPECT_NE(daemon->log().find("cannot remove socket " + locked +
                                 "/p.sock: Permission denied (its folder is not writable "
                                 "by run_user nobody)"),
              std::string::npos)
        << daemon->log();
    daemon.reset();
}

TEST_F(PolicydHardeningTest, PolicyRefusalLogIsRateLimitedWithASummary) {
    start(options());
    Client c = Client::connect_unix(daemon->policy_socket());
    std::string batch;
    for (int i = 0; i < 500; ++i) batch += rcpt_request("nobody@example.de");
    batch += rcpt_request("info@example.de", "stranger@example.org", "anna");
    ASSERT_TRUE(c.send(batch));
    for (int i = 0; i < 501; ++i) ASSERT_TRUE(c.read_reply().has_value()) << i;
    EXPECT_TRUE(wait_until(
        [&] {
            return daemon->log().find(
                       "not logged in the last window (rate limit): 480 550 5.1.1") !=
                   std::string::npos;
        },
        15s))
        << daemon->log();
    const std::string log = daemon->log();
    EXPECT_EQ(count_of(log, "policy: 550 5.1.1"), 20u);
    // Another kind is logged although the first kind was being cut.
    EXPECT_EQ(count_of(log, "policy: 553 5.7.1"), 1u);
}

TEST_F(PolicydHardeningTest, OooClaimRefusesAutomatedSendersAndTheMailboxItself) {
    start(options());
    for (const char* sender :
         {"MAILER-DAEMON@mx.example.org", "info@example.de", "owner-list@lists.example.org"}) {
        auto r = daemon->query(std::string("request=ooo_claim\nmailbox=info@example.de\nsender=") +
                               sender + "\n\n");
        EXPECT_EQ(r["status"], "ok") << sender;
        EXPECT_EQ(r["should_reply"], "0") << sender;
        EXPECT_FALSE(r["reason"].empty()) << sender;
    }
    EXPECT_EQ(daemon->query("request=ooo_claim\nmailbox=info@example.de\nsender=postmaster@"
                            "example.org\n\n")["should_reply"],
              "1");
}

TEST_F(PolicydHardeningTest, EditsBypassingTheChangeLogAreSeenAfterTheFullReloadInterval) {
    auto o = options();
    o.refresh_interval = "200ms";
    o.full_reload_interval = "1s";
    start(o);
    EXPECT_EQ(daemon->policy_action(rcpt_request("x@example.org", "info@example.de", "anna")),
              "DUNNO");
    // TRUNCATE fires no trigger: nothing reaches change_log.
    db->execute("TRUNCATE TABLE mailbox_assignment");
    EXPECT_TRUE(wait_until(
        [&] {
            return daemon->policy_action(
                       rcpt_request("x@example.org", "info@example.de", "anna")) ==
                   "553 5.7.1 Sender address <info@example.de> is not owned by the "
                   "authenticated login";
        },
        10s))
        << daemon->log();
}

TEST_F(PolicydHardeningTest, FullReloadIntervalMustBeShorterThanCutoff) {
    auto o = options();
    o.cutoff = "3s";
    o.full_reload_interval = "3s";
    PolicydProcess p(o);
    std::string out;
    EXPECT_EQ(
        run_shell(std::string(POLICYD_PATH) + " --check-config --config " + p.config_path(), &out),
        2);
    EXPECT_NE(out.find("'full_reload_interval' must be shorter than 'cutoff'"), std::string::npos)
        << out;
}

// Own MariaDB, so that the test may freeze it.
TEST(PolicydHungDatabase, SpoolOnlyWritesAreAnsweredWhileClaimsWaitOnTheDatabase) {
    const std::string dir = test_dir("h-hung-db");
    PrivateMariadb mariadb(dir + "/mysql");
    ASSERT_TRUE(mariadb.create_and_start());
    ::setenv("BOXWARDEN_TEST_MYSQL_SOCKET", mariadb.socket().c_str(), 1);
    auto scratch = std::make_unique<boxwarden::testing::ScratchDatabase>();
    {
        auto db = scratch->connect();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        db->execute("CALL create_mailbox('info@example.de')");
        db->execute("UPDATE mailbox SET ooo_enabled = 1");
    }
    PolicydProcess::Options o;
    o.dir = dir + "/policyd";
    fs::create_directories(o.dir);
    o.db_socket = mariadb.socket();
    o.db_name = scratch->name();
    o.cutoff = "60s";
    o.full_reload_interval = "30s";
    PolicydProcess daemon(o);
    ASSERT_TRUE(daemon.start()) << daemon.log();
    // Warm the pool's connections, then freeze the server.
    ASSERT_EQ(daemon.query(
                  "request=ooo_claim\nmailbox=info@example.de\nsender=w@example.org\n\n")["status"],
              "ok");
    pid_t mysqld = 0;
    std::ifstream(dir + "/mysql/mysqld.pid") >> mysqld;
    ASSERT_GT(mysqld, 0);
    ASSERT_EQ(::kill(mysqld, SIGSTOP), 0);
    std::vector<Client> claims;
    for (int i = 0; i < 12; ++i) {
        claims.push_back(Client::connect_unix(daemon.query_socket()));
        claims.back().send("request=ooo_claim\nmailbox=info@example.de\nsender=s" +
                           std::to_string(i) + "@example.org\n\n");
    }
    Client activity = Client::connect_unix(daemon.query_socket());
    activity.send(
        "request=record_activity\nevent_id=hung-1\nmailbox=info@example.de\ndirection=received\n"
        "occurred_at=2026-11-27 10:00:00\n\n");
    auto reply = activity.read_reply(20s);
    // Which claims had their answer by then (an answer would already be in
    // the socket buffer): not all of them.
    std::size_t answered = 0;
    for (Client& c : claims)
        if (c.read_reply(20ms)) ++answered;
    ::kill(mysqld, SIGCONT);
    ASSERT_TRUE(reply.has_value()) << daemon.log();
    EXPECT_EQ(parse_reply(*reply)["status"], "ok");
    // Every claim takes at least db_connect_timeout (2 s) against the frozen
    // server. Sharing the 4 database workers, record_activity would start
    // only after 9 claims were done; on its own workers it does not wait for
    // even one round of them.
    EXPECT_LT(answered, 4u) << "record_activity waited behind the database";
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
}

}  // namespace
}  // namespace boxwarden::policyd::testing
