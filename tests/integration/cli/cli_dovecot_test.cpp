// Password rotation and unassignment against a private Dovecot (SQL passdb on
// the scratch database, auth cache on, tests/harness/dovecot.sh): the auth
// cache is flushed (read from doveadm's output), open IMAP sessions are
// kicked, and a Dovecot that is installed but not running gives a warning.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <chrono>

#include "cli_fixture.h"

namespace boxwarden::testing {
namespace {

using ::testing::HasSubstr;

// A minimal IMAP client: enough to log in and see the server hang up.
class ImapSession {
  public:
    explicit ImapSession(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~ImapSession() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool connected() const { return fd_ >= 0; }
    // Reads until `needle` appears, EOF, or the timeout; returns all read.
    std::string read_until(const std::string& needle, int timeout_ms = 10000) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (buffer_.find(needle) == std::string::npos && !eof_) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  end - std::chrono::steady_clock::now())
                                  .count();
            if (left <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
            char buf[2048];
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0)
                eof_ = true;
            else
                buffer_.append(buf, static_cast<size_t>(n));
        }
        return buffer_;
    }
    void send(const std::string& line) {
        const std::string l = line + "\r\n";
        ASSERT_EQ(::write(fd_, l.data(), l.size()), static_cast<ssize_t>(l.size()));
    }
    bool eof() const { return eof_; }

  private:
    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

class CliDovecot : public CliTest {
  protected:
    void SetUp() override {
        CliTest::SetUp();
        // Dovecot's master must start as root (it drops to its own users).
        if (::geteuid() != 0) GTEST_SKIP() << "a private Dovecot needs root";
        add_basic_data();
        // Unix socket paths are limited to 107 bytes: a short folder name.
        static int counter = 0;
        dovecot_dir_ = std::filesystem::path(BOXWARDEN_BINARY_DIR) /
                       ("dc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        auto r = cli::run_process({BOXWARDEN_DOVECOT_HARNESS, "start", dovecot_dir_.string(),
                                   test_mysql_socket(), scratch->name()},
                                  {}, 60);
        ASSERT_TRUE(r.ok()) << r.out << r.err;
        started_ = true;
        port_ = std::stoi(read_file(dovecot_dir_ / "imap_port"));
        write_config({{"doveadm_path", "/usr/bin/doveadm"},
                      {"doveadm_config", (dovecot_dir_ / "dovecot.conf").string()}});
    }
    void TearDown() override {
        if (started_) {
            cli::run_process({BOXWARDEN_DOVECOT_HARNESS, "stop", dovecot_dir_.string()}, {}, 60);
            if (!HasFailure()) std::filesystem::remove_all(dovecot_dir_);
        }
        CliTest::TearDown();
    }
    // `doveadm auth test` through the running auth process (and its cache).
    bool dovecot_login(const std::string& user, const std::string& password) {
        auto r =
            cli::run_process({"/usr/bin/doveadm", "-c", (dovecot_dir_ / "dovecot.conf").string(),
                              "auth", "test", user, password},
                             {}, 60);
        return r.ok() && r.out.find("auth succeeded") != std::string::npos;
    }
    std::string hash_of(const std::string& password) {
        auto r = cli::run_process({"/usr/bin/doveadm", "pw", "-s", "SHA512-CRYPT", "-p", password},
                                  {}, 60);
        std::string h = r.out;
        while (!h.empty() && (h.back() == '\n' || h.back() == '\r')) h.pop_back();
        return h;
    }

    std::filesystem::path dovecot_dir_;
    int port_ = 0;
    bool started_ = false;
};

TEST_F(CliDovecot, TheCacheHidesAPlainSqlPasswordChangeUntilFlushed) {
    // The control for the tests below: with this Dovecot set-up the cache
    // really does keep an old password alive.
    db->execute("UPDATE mailbox SET password_hash = ? WHERE address = 'info@example.de'",
                {hash_of("Old-Password-111")});
    ASSERT_TRUE(dovecot_login("info@example.de", "Old-Password-111"));
    db->execute("UPDATE mailbox SET password_hash = ? WHERE address = 'info@example.de'",
                {hash_of("New-Password-222")});
    EXPECT_TRUE(dovecot_login("info@example.de", "Old-Password-111"));
    EXPECT_FALSE(dovecot_login("info@example.de", "New-Password-222"));
}

TEST_F(CliDovecot, GenerateFlushesTheAuthCacheAndKicksOpenSessions) {
    ASSERT_EQ(ctl({"password", "set", "info@example.de"}, "Old-Password-111\n").code, 0);
    ASSERT_TRUE(dovecot_login("info@example.de", "Old-Password-111"));  // now cached
    ImapSession imap(port_);
    ASSERT_TRUE(imap.connected());
    imap.read_until("* OK");
    imap.send("a LOGIN info@example.de Old-Password-111");
    ASSERT_THAT(imap.read_until("a OK"), HasSubstr("a OK"))
        << read_file(dovecot_dir_ / "dovecot.log");

    auto gen = ctl({"--json", "password", "generate", "info@example.de"});
    ASSERT_EQ(gen.code, 0) << gen;
    EXPECT_THAT(gen.out, HasSubstr("\"auth_cache_flush\": {\n      \"result\": \"done\""));
    EXPECT_THAT(gen.out, HasSubstr("cache entries flushed"));
    EXPECT_THAT(gen.out, HasSubstr("\"kick\": {\n      \"result\": \"done\""));
    EXPECT_EQ(gen.err, "");  // no warning: Dovecot was reached

    // The open session was ended by the kick.
    const std::string after = imap.read_until("* BYE", 10000);
    EXPECT_TRUE(after.find("* BYE") != std::string::npos || imap.eof()) << after;

    // The old password fails at once (the cache would otherwise accept it),
    // the new one works.
    const std::string marker = "\"password\": \"";
    const size_t at = gen.out.find(marker) + marker.size();
    const std::string password = gen.out.substr(at, gen.out.find('"', at) - at);
    EXPECT_FALSE(dovecot_login("info@example.de", "Old-Password-111"));
    EXPECT_TRUE(dovecot_login("info@example.de", password));
    ImapSession again(port_);
    again.read_until("* OK");
    again.send("b LOGIN info@example.de Old-Password-111");
    // Failed logins are delayed by Dovecot's auth penalty: allow for it.
    EXPECT_THAT(again.read_until("b NO", 30000), HasSubstr("b NO"));
}

TEST_F(CliDovecot, UnassignFlushesTheUsersMasterLogin) {
    db->execute("UPDATE user_account SET password_hash = ? WHERE login = 'anna'",
                {hash_of("Anna-Password-333")});
    ASSERT_EQ(ctl({"assignments", "add", "info@example.de", "anna"}).code, 0);
    ASSERT_TRUE(dovecot_login("info@example.de*anna", "Anna-Password-333"));  // cached
    auto r = ctl({"--json", "assignments", "remove", "info@example.de", "anna"});
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("\"result\": \"done\""));
    EXPECT_FALSE(dovecot_login("info@example.de*anna", "Anna-Password-333"));
    // Assigning again works at once too (the refusal was cached negatively).
    ASSERT_EQ(ctl({"assignments", "add", "info@example.de", "anna"}).code, 0);
    EXPECT_TRUE(dovecot_login("info@example.de*anna", "Anna-Password-333"));
}

TEST_F(CliDovecot, AnAddressStartingWithADashIsNotTakenForAnOption) {
    // "-odd" is a valid dot-atom local part; doveadm gets it after "--".
    ASSERT_EQ(ctl({"mailbox", "create", "--", "-odd@example.de"}).code, 0);
    auto r = ctl({"--json", "password", "generate", "--", "-odd@example.de"});
    EXPECT_EQ(r.code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr("\"auth_cache_flush\": {\n      \"result\": \"done\""));
    EXPECT_EQ(r.err, "");
}

TEST_F(CliDovecot, InstalledButNotRunningIsAWarningNotAFailure) {
    // A base_dir where no Dovecot runs (short: socket paths are limited).
    const auto idle =
        std::filesystem::path(BOXWARDEN_BINARY_DIR) / ("dc-idle-" + std::to_string(::getpid()));
    write_file(dir() / "idle.conf", "base_dir = " + idle.string() + "\nssl = no\n");
    write_config(
        {{"doveadm_path", "/usr/bin/doveadm"}, {"doveadm_config", (dir() / "idle.conf").string()}});
    auto r = ctl({"--json", "password", "generate", "info@example.de"});
    EXPECT_EQ(r.code, 0) << r;
    EXPECT_THAT(r.err, HasSubstr("warning: Dovecot is not running on this host"));
    EXPECT_THAT(r.out, HasSubstr("\"result\": \"skipped\""));
    EXPECT_TRUE(value("SELECT password_hash FROM mailbox").has_value());
}

TEST_F(CliDovecot, ABrokenDoveadmConfigurationIsAFailureAfterTheChange) {
    write_config({{"doveadm_path", "/usr/bin/doveadm"},
                  {"doveadm_config", (dir() / "missing.conf").string()}});
    auto r = ctl({"--json", "password", "generate", "info@example.de"});
    EXPECT_EQ(r.code, 4) << r;  // changed, but Dovecot could not be told
    EXPECT_THAT(r.err, HasSubstr("auth cache flush failed"));
    EXPECT_THAT(r.out, HasSubstr("\"result\": \"failed\""));
    EXPECT_TRUE(value("SELECT password_hash FROM mailbox").has_value());
}

}  // namespace
}  // namespace boxwarden::testing
