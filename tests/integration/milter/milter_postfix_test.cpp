// boxwarden-milter end to end: swaks --auth -> private Postfix submission
// smtpd (SASL from a private Dovecot) -> the real boxwarden-milter on a unix
// socket -> the real boxwarden-policyd -> private MariaDB; delivery to an
// smtp-sink that stores each message.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "policyd_harness.h"
#include "test_database.h"

namespace boxwarden::policyd::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// boxwarden-milter as a child process, stopped by PID.
class MilterProcess {
  public:
    MilterProcess(std::string dir, const std::string& query_socket) : dir_(std::move(dir)) {
        std::ofstream conf(dir_ + "/milter.conf");
        conf << "query_socket = " << query_socket << "\n"
             << "milter_socket = " << socket() << "\n"
             << "milter_socket_group = postfix\n"
             << "milter_query_timeout = 2s\n"
             << "run_user =\n";
    }
    ~MilterProcess() { stop(); }
    std::string socket() const { return dir_ + "/milter.sock"; }
    std::string log() const { return read_file(dir_ + "/milter.log"); }
    bool start() {
        pid_ = ::fork();
        if (pid_ == 0) {
            const int log = ::open((dir_ + "/milter.log").c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            ::dup2(log, STDOUT_FILENO);
            ::dup2(log, STDERR_FILENO);
            const std::string conf = dir_ + "/milter.conf";
            ::execl(MILTER_PATH, MILTER_PATH, "-c", conf.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        return wait_until([&] {
            struct stat st {};
            return ::stat(socket().c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
        });
    }
    // SIGTERM; the exit status (-1 when it had to be killed).
    int stop() {
        if (pid_ <= 0) return -1;
        ::kill(pid_, SIGTERM);
        int status = 0;
        const bool exited =
            wait_until([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, 20s);
        if (!exited) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
        return exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

  private:
    std::string dir_;
    pid_t pid_ = -1;
};

class MilterPostfixTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // Short: Dovecot's sockets go below it (unix socket paths <= 107 bytes).
        static int serial = 0;
        dir = test_dir("m" + std::to_string(::getpid() % 100000) + "-" + std::to_string(++serial));
        ::chmod(dir.c_str(), 0755);
        db = scratch.connect();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        for (const char* a : {"info@example.de", "sales@example.de", "ceo@example.de"})
            db->execute("CALL create_mailbox(?)", {std::string(a)});
        db->execute("UPDATE mailbox SET email_name = ? WHERE address = 'info@example.de'",
                    {std::string("Müller Immobilien")});
        db->execute(
            "INSERT INTO user_account (login, display_name, activity_access) VALUES "
            "('anna', 'Anna Schmidt', 1)");
        db->execute("CALL assign_user('sales@example.de', 'anna')");
        // A VIP mailbox with a 4-byte UTF-8 email name, assigned to carl only.
        db->execute(
            "INSERT INTO user_account (login, display_name, activity_access) VALUES "
            "('carl', 'Carl Chef', 1)");
        db->execute("CALL assign_user('ceo@example.de', 'carl')");
        db->execute("UPDATE mailbox SET vip = 1, email_name = ? WHERE address = 'ceo@example.de'",
                    {std::string("CEO \xF0\x9F\x9A\x80")});

        PolicydProcess::Options o;
        o.dir = dir;
        o.db_socket = boxwarden::testing::test_mysql_socket();
        o.db_name = scratch.name();
        policyd = std::make_unique<PolicydProcess>(o);
        ASSERT_TRUE(policyd->start()) << policyd->log();

        milter = std::make_unique<MilterProcess>(dir, policyd->query_socket());
        ASSERT_TRUE(milter->start()) << milter->log();

        {
            std::ofstream pw(dir + "/passwd");
            pw << "info@example.de:{PLAIN}info-pw\nanna:{PLAIN}anna-pw\ncarl:{PLAIN}carl-pw\n";
        }
        std::string out;
        ASSERT_EQ(
            run_shell(std::string(SASL_SINK_SH) + " start " + dir + "/s " + dir + "/passwd", &out),
            0)
            << out;
        const std::string sink_port = read_file(dir + "/s/sink_port");
        port = free_port();
        const std::string env =
            "POSTFIX_DELIVERY='smtp:[127.0.0.1]:" + sink_port.substr(0, sink_port.find('\n')) +
            "' POSTFIX_MILTERS='unix:" + milter->socket() +
            "' POSTFIX_EXTRA='milter_protocol = 6\nsmtpd_sasl_auth_enable = yes\n"
            "smtpd_sasl_type = dovecot\nsmtpd_sasl_path = " +
            dir +
            "/s/auth-postfix\n"
            "smtp_tls_security_level = none\nmilter_content_timeout = 30s'";
        ASSERT_EQ(
            run_shell(env + " " + POSTFIX_SH + " start " + dir + "/postfix " + std::to_string(port),
                      &out),
            0)
            << out;
    }
    void TearDown() override {
        run_shell(std::string(POSTFIX_SH) + " stop " + dir + "/postfix");
        run_shell(std::string(SASL_SINK_SH) + " stop " + dir + "/s");
        if (milter) milter->stop();
        if (policyd) policyd->stop();
    }

    // One submission; swaks' whole dialogue.
    std::string submit(const std::string& user, const std::string& password,
                       const std::string& from, const std::string& header_from,
                       const std::string& message_id) {
        std::string cmd = "swaks --server 127.0.0.1:" + std::to_string(port) +
                          " --timeout 30 --from " + shell_quote(from) +
                          " --to rcpt@example.org --header " + shell_quote("From: " + header_from) +
                          " --header " + shell_quote("Message-Id: " + message_id) +
                          " --header 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?='";
        if (!user.empty())
            cmd += " --auth PLAIN --auth-user " + shell_quote(user) + " --auth-password " +
                   shell_quote(password);
        std::string out;
        run_shell(cmd, &out);
        return out;
    }
    // The stored message holding this Message-ID ("" when none arrived).
    std::string delivered(const std::string& message_id) {
        std::string found;
        wait_until(
            [&] {
                for (const auto& e : fs::directory_iterator(dir + "/s/sink")) {
                    const std::string text = read_file(e.path().string());
                    if (text.find("Message-Id: " + message_id) != std::string::npos) {
                        found = text;
                        return true;
                    }
                }
                return false;
            },
            30s);
        return found;
    }
    std::string from_line(const std::string& message) {
        const std::size_t at = message.find("\nFrom:");
        if (at == std::string::npos) return "";
        // smtp-sink stores lines with LF; a folded From would continue with a space.
        std::string line = message.substr(at + 1, message.find('\n', at + 1) - at - 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    std::int64_t sent_rows(const std::string& message_id) {
        auto rs = db->query(
            "SELECT COUNT(*) AS n FROM activity WHERE direction = 'sent' AND message_id = ?",
            {message_id});
        return rs.empty() ? -1 : rs[0].i64("n");
    }
    bool queued(const std::string& dialogue) {
        return dialogue.find("<-  250 2.0.0 Ok: queued") != std::string::npos;
    }

    boxwarden::testing::ScratchDatabase scratch;
    std::unique_ptr<db::Connection> db;
    std::string dir;
    int port = 0;
    std::unique_ptr<PolicydProcess> policyd;
    std::unique_ptr<MilterProcess> milter;
};

TEST_F(MilterPostfixTest, EmailNameUserNameActivityOnceAndUnauthenticatedUntouched) {
    // The mailbox's email name, RFC 2047 encoded; one sent row, also on a retry.
    std::string d = submit("info@example.de", "info-pw", "info@example.de", "info@example.de",
                           "<m1@example.de>");
    ASSERT_TRUE(queued(d)) << d << milter->log();
    EXPECT_EQ(from_line(delivered("<m1@example.de>")),
              "From: =?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>");
    d = submit("info@example.de", "info-pw", "info@example.de", "info@example.de",
               "<m1@example.de>");
    ASSERT_TRUE(queued(d)) << d;

    // An assigned user without an email name set: their own display name.
    d = submit("anna", "anna-pw", "sales@example.de", "sales@example.de", "<m2@example.de>");
    ASSERT_TRUE(queued(d)) << d << milter->log();
    EXPECT_EQ(from_line(delivered("<m2@example.de>")), "From: Anna Schmidt <sales@example.de>");

    // Unauthenticated: untouched, not logged.
    d = submit("", "", "info@example.de", "Client Name <info@example.de>", "<m3@example.de>");
    ASSERT_TRUE(queued(d)) << d;
    EXPECT_EQ(from_line(delivered("<m3@example.de>")), "From: Client Name <info@example.de>");

    // The spool drains in order: once m2's row is there, both m1 writes are done.
    ASSERT_TRUE(wait_until([&] { return sent_rows("<m2@example.de>") == 1; }, 30s))
        << policyd->log();
    EXPECT_EQ(sent_rows("<m1@example.de>"), 1);
    EXPECT_EQ(sent_rows("<m3@example.de>"), 0);
    auto rs = db->query(
        "SELECT mailbox_address, sender, recipients, subject FROM activity "
        "WHERE message_id = '<m1@example.de>'");
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].str("mailbox_address"), "info@example.de");
    EXPECT_EQ(rs[0].str("sender"), "info@example.de");
    EXPECT_EQ(rs[0].str("recipients"), "rcpt@example.org");
    EXPECT_EQ(rs[0].str("subject"), "Grüße");
    EXPECT_EQ(milter->stop(), 0) << milter->log();
}

TEST_F(MilterPostfixTest, EmojiNameAndVipSentEntryVisibleOnlyToAssignedUsers) {
    const std::string d =
        submit("carl", "carl-pw", "ceo@example.de", "ceo@example.de", "<v1@example.de>");
    ASSERT_TRUE(queued(d)) << d << milter->log();
    EXPECT_EQ(from_line(delivered("<v1@example.de>")),
              "From: =?UTF-8?B?Q0VPIPCfmoA=?= <ceo@example.de>");
    ASSERT_TRUE(wait_until([&] { return sent_rows("<v1@example.de>") == 1; }, 30s))
        << policyd->log();
    auto visible = [&](const std::string& login) {
        int n = 0;
        for (const auto& r : db->query("CALL visible_activity(?)", {login}))
            n += r.str("message_id") == "<v1@example.de>" ? 1 : 0;
        return n;
    };
    EXPECT_EQ(visible("carl"), 1);
    EXPECT_EQ(visible("anna"), 0);  // activity_access, but not assigned to the VIP mailbox
}

TEST_F(MilterPostfixTest, ForeignHeaderFromIsRefused) {
    const std::string d =
        submit("anna", "anna-pw", "sales@example.de", "Boss <ceo@example.de>", "<f1@example.de>");
    EXPECT_NE(d.find("<** 550 5.7.1 From header address <ceo@example.de> is not owned by the "
                     "authenticated login"),
              std::string::npos)
        << d << milter->log();
    EXPECT_FALSE(queued(d));
}

TEST_F(MilterPostfixTest, PolicydStoppedTempfailsAndLogsNothing) {
    policyd->stop();
    const std::string d = submit("info@example.de", "info-pw", "info@example.de", "info@example.de",
                                 "<t1@example.de>");
    EXPECT_NE(d.find("<** 451 4.3.0 Sender settings temporarily unavailable"), std::string::npos)
        << d << milter->log();
    EXPECT_FALSE(queued(d));
    EXPECT_NE(milter->log().find("tempfail"), std::string::npos);
    ASSERT_TRUE(policyd->start()) << policyd->log();
    EXPECT_EQ(sent_rows("<t1@example.de>"), 0);
}

}  // namespace
}  // namespace boxwarden::policyd::testing
