// The proof with a real Postfix: a private smtpd on a loopback port asks
// boxwarden-policyd (check_policy_service unix:...) and swaks plays the
// sending MTA.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "policyd_harness.h"
#include "test_database.h"

namespace boxwarden::policyd::testing {
namespace {

using namespace std::chrono_literals;

// One shell word, whatever the address holds (quotes, brackets).
std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

class PrivatePostfix {
  public:
    PrivatePostfix(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
    ~PrivatePostfix() { run_shell(std::string(POSTFIX_SH) + " stop " + dir_); }
    bool start(const std::string& policy) {
        std::string out;
        const bool ok = run_shell(std::string(POSTFIX_SH) + " start " + dir_ + " " +
                                      std::to_string(port_) + " " + policy,
                                  &out) == 0;
        if (!ok) ADD_FAILURE() << out;
        return ok;
    }
    // One SMTP transaction; the whole dialogue as swaks printed it.
    std::string send(const std::string& to, const std::string& from = "sender@example.org") {
        std::string out;
        run_shell("swaks --server 127.0.0.1:" + std::to_string(port_) + " --timeout 30 --from " +
                      shell_quote(from) + " --to " + shell_quote(to) +
                      " --header 'Subject: boxwarden test'",
                  &out);
        return out;
    }
    std::string maillog() {
        std::string out;
        run_shell("cat " + dir_ + "/maillog", &out);
        return out;
    }

  private:
    std::string dir_;
    int port_;
};

bool accepted(const std::string& dialogue) {
    return dialogue.find("<-  250 2.0.0 Ok: queued") != std::string::npos;
}
// smtpd's reply line: "<** CODE ENHANCED <rcpt>: Recipient address rejected: TEXT".
bool refused(const std::string& dialogue, const std::string& codes, const std::string& text) {
    for (size_t pos = dialogue.find("<** " + codes + " "); pos != std::string::npos;
         pos = dialogue.find("<** " + codes + " ", pos + 1)) {
        const std::string line = dialogue.substr(pos, dialogue.find('\n', pos) - pos);
        if (line.find(text) != std::string::npos) return true;
    }
    return false;
}
bool deferred(const std::string& dialogue) {
    return dialogue.find("<** 450 4.3.0") != std::string::npos ||
           dialogue.find("<** 451 4.3.0") != std::string::npos;
}

void seed(db::Connection& db) {
    db.execute("INSERT INTO domain (name) VALUES ('example.de')");
    for (const char* a : {"info@example.de", "sales@example.de", "old@example.de"})
        db.execute("CALL create_mailbox(?)", {std::string(a)});
    db.execute("UPDATE mailbox SET active = 0 WHERE address = 'old@example.de'");
}

TEST(PolicydPostfix, RecipientVerdictsAndPlainSqlChanges) {
    const std::string dir = test_dir("pf-verdicts");
    boxwarden::testing::ScratchDatabase scratch;
    auto db = scratch.connect();
    seed(*db);
    PolicydProcess::Options o;
    o.dir = dir + "/policyd";
    std::filesystem::create_directories(o.dir);
    o.db_socket = boxwarden::testing::test_mysql_socket();
    o.db_name = scratch.name();
    PolicydProcess daemon(o);
    ASSERT_TRUE(daemon.start()) << daemon.log();
    PrivatePostfix postfix(dir + "/postfix", free_port());
    ASSERT_TRUE(postfix.start("unix:" + daemon.policy_socket()));

    std::string d = postfix.send("info@example.de");
    EXPECT_TRUE(accepted(d)) << d << postfix.maillog() << daemon.log();
    d = postfix.send("info+news@example.de");
    EXPECT_TRUE(accepted(d)) << d;
    d = postfix.send("old@example.de");
    EXPECT_TRUE(refused(d, "550 5.2.1", "Recipient address rejected: Mailbox disabled")) << d;
    d = postfix.send("nobody@example.de");
    EXPECT_TRUE(
        refused(d, "550 5.1.1", "<nobody@example.de>: Recipient address rejected: Mailbox unknown"))
        << d;
    d = postfix.send("someone@example.org");
    EXPECT_TRUE(accepted(d)) << d;

    // A plain SQL deactivation is in force after a few refresh intervals...
    db->execute("UPDATE mailbox SET active = 0 WHERE address = 'sales@example.de'");
    EXPECT_TRUE(wait_until(
        [&] {
            return refused(d = postfix.send("sales@example.de"), "550 5.2.1",
                           "Recipient address rejected: Mailbox disabled");
        },
        15s, 100ms))
        << d;
    // ... and so is the reactivation.
    db->execute("UPDATE mailbox SET active = 1 WHERE address = 'sales@example.de'");
    EXPECT_TRUE(
        wait_until([&] { return accepted(d = postfix.send("sales@example.de")); }, 15s, 100ms))
        << d;
    EXPECT_EQ(daemon.stop(), 0);
}

// Finding: "old@example.de." was answered DUNNO (domain not hosted) and
// Postfix delivered it to the disabled old@example.de. Every spelling Postfix
// resolves to a disabled mailbox must be refused by smtpd itself.
TEST(PolicydPostfix, SpellingsOfADisabledMailboxAreRefused) {
    const std::string dir = test_dir("pf-spellings");
    boxwarden::testing::ScratchDatabase scratch;
    auto db = scratch.connect();
    seed(*db);
    db->execute("CALL create_mailbox(?)", {std::string("c+d@example.de")});
    PolicydProcess::Options o;
    o.dir = dir + "/policyd";
    std::filesystem::create_directories(o.dir);
    o.db_socket = boxwarden::testing::test_mysql_socket();
    o.db_name = scratch.name();
    PolicydProcess daemon(o);
    ASSERT_TRUE(daemon.start()) << daemon.log();
    PrivatePostfix postfix(dir + "/postfix", free_port());
    ASSERT_TRUE(postfix.start("unix:" + daemon.policy_socket()));

    for (const char* to : {"old@example.de.", "OLD@Example.DE.", "\"old\"@example.de",
                           "\"old\"@example.de.", "old+x@example.de."}) {
        const std::string d = postfix.send(to);
        EXPECT_TRUE(refused(d, "550 5.2.1", "Recipient address rejected: Mailbox disabled"))
            << to << "\n"
            << d << postfix.maillog();
    }
    // A mailbox whose name holds the delimiter is found under its full name
    // first (as Postfix's virtual maps do), not refused as "c@example.de".
    std::string d = postfix.send("c+d@example.de");
    EXPECT_TRUE(accepted(d)) << d << daemon.log();
    d = postfix.send("c+d@example.de.");
    EXPECT_TRUE(accepted(d)) << d;
    d = postfix.send("c+x@example.de");
    EXPECT_TRUE(refused(d, "550 5.1.1", "Mailbox unknown")) << d;
    // Nothing was delivered to the disabled mailbox (discard logs
    // "to=<old@example.de>, ... status=sent" for each delivery).
    const std::string log = postfix.maillog();
    for (size_t pos = log.find("to=<old@example.de"); pos != std::string::npos;
         pos = log.find("to=<old@example.de", pos + 1)) {
        const size_t start = log.rfind('\n', pos) + 1;
        const std::string line = log.substr(start, log.find('\n', pos) - start);
        EXPECT_EQ(line.find("status=sent"), std::string::npos) << line;
    }
    EXPECT_EQ(daemon.stop(), 0);
}

TEST(PolicydPostfix, DatabaseOutageServesFromCacheThenDefersThenRecovers) {
    const std::string dir = test_dir("pf-outage");
    PrivateMariadb mariadb(dir + "/mysql");
    ASSERT_TRUE(mariadb.create_and_start());
    ::setenv("BOXWARDEN_TEST_MYSQL_SOCKET", mariadb.socket().c_str(), 1);
    auto scratch = std::make_unique<boxwarden::testing::ScratchDatabase>();
    {
        auto db = scratch->connect();
        seed(*db);
    }
    PolicydProcess::Options o;
    o.dir = dir + "/policyd";
    std::filesystem::create_directories(o.dir);
    o.db_socket = mariadb.socket();
    o.db_name = scratch->name();
    o.cutoff = "3s";
    PolicydProcess daemon(o);
    ASSERT_TRUE(daemon.start()) << daemon.log();
    PrivatePostfix postfix(dir + "/postfix", free_port());
    ASSERT_TRUE(postfix.start("unix:" + daemon.policy_socket()));
    std::string d = postfix.send("info@example.de");
    ASSERT_TRUE(accepted(d)) << d;

    ASSERT_TRUE(mariadb.stop());
    // Younger than the cutoff: answers come from the cache, both ways.
    d = postfix.send("info@example.de");
    EXPECT_TRUE(accepted(d) || deferred(d)) << d;
    const bool served_from_cache = accepted(d);
    d = postfix.send("old@example.de");
    EXPECT_TRUE(refused(d, "550 5.2.1", "Recipient address rejected: Mailbox disabled") ||
                deferred(d))
        << d;
    // Past the cutoff: temporary failure, so the sender keeps the mail.
    EXPECT_TRUE(
        wait_until([&] { return deferred(d = postfix.send("info@example.de")); }, 20s, 200ms))
        << d << daemon.log();
    d = postfix.send("old@example.de");
    EXPECT_TRUE(deferred(d)) << d;
    EXPECT_TRUE(wait_until(
        [&] { return daemon.log().find("cache is older than the cutoff") != std::string::npos; }));

    // The database returns: the retried mail is accepted.
    ASSERT_TRUE(mariadb.restart());
    EXPECT_TRUE(
        wait_until([&] { return accepted(d = postfix.send("info@example.de")); }, 30s, 200ms))
        << d << daemon.log();
    EXPECT_TRUE(refused(postfix.send("old@example.de"), "550 5.2.1",
                        "Recipient address rejected: Mailbox disabled"));
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
    scratch.reset();
    // The cache answer right after the stop is the point of the first half;
    // on a very slow machine the cutoff may already have passed (then the
    // deferral above still proved the safe side).
    if (!served_from_cache) GTEST_LOG_(WARNING) << "cutoff passed before the first check";
}

}  // namespace
}  // namespace boxwarden::policyd::testing
