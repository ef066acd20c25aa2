// Writers on Galera: transactions on two nodes that touch the same rows
// collide (ERROR 1213 at commit on one of them); core's retry helper runs
// them again so that every one commits and no update is lost, and a rule
// refusal is passed on after one run. boxwardenctl writes on two nodes at
// once all succeed.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "boxwarden/retry.h"
#include "galera_support.h"
#include "policyd_harness.h"

namespace boxwarden::galera_testing {
namespace {

TEST(GaleraWriters, ConflictingTransactionsOnTwoNodesAllCommitThroughTheRetryHelper) {
    GaleraDatabase database;
    database.migrate();
    {
        auto c = database.connect(1);
        c->execute("INSERT INTO domain (name) VALUES ('example.de')");
        c->execute("INSERT INTO mailbox (address, email_name) VALUES ('hot@example.de', '')");
    }
    constexpr int kPerNode = 100;
    std::atomic<int> retries{0};
    auto writer = [&](int node) {
        db::ThreadScope scope;
        auto c = database.connect(node);
        // Read the row once node 1's insert has been applied here.
        c->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
        db::RetryHooks hooks;
        hooks.on_retry = [&](const db::Error& e, int) {
            ++retries;
            if (db::retry_class(e) == db::RetryClass::UnloadedTriggers)
                std::printf("[galera] node %d reloaded a cached table: %s\n", node, e.what());
        };
        db::RetryPolicy policy;
        policy.max_attempts = 20;  // two writers hammer one row: collisions in a row happen
        int done = 0;
        for (int i = 0; i < kPerNode; ++i) {
            // Read-modify-write of one row from two nodes: only a retry of
            // the whole transaction keeps every append.
            db::run_transaction(
                *c,
                [&](db::Connection& conn) {
                    auto rows = conn.query(
                        "SELECT email_name FROM mailbox WHERE address = 'hot@example.de' FOR "
                        "UPDATE");
                    conn.execute(
                        "UPDATE mailbox SET email_name = ? WHERE address = 'hot@example.de'",
                        {rows.at(0).str("email_name") + (node == 1 ? "a" : "b")});
                },
                policy, hooks);
            ++done;
        }
        return done;
    };
    auto a = std::async(std::launch::async, writer, 1);
    auto b = std::async(std::launch::async, writer, 2);
    EXPECT_EQ(a.get(), kPerNode);
    EXPECT_EQ(b.get(), kPerNode);
    auto c = database.connect(3);
    c->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
    const std::string value =
        c->query("SELECT email_name FROM mailbox WHERE address = 'hot@example.de'")[0].str(
            "email_name");
    EXPECT_EQ(value.size(), 2u * kPerNode) << "an update was lost";
    std::printf("[galera] %d transactions on two nodes, %d certification/deadlock retries\n",
                2 * kPerNode, retries.load());
    EXPECT_GT(retries.load(), 0) << "the writers never collided: the test proved nothing";
}

TEST(GaleraWriters, RuleRefusalIsNotRetried) {
    GaleraDatabase database;
    database.migrate();
    auto c = database.connect(2);
    int runs = 0;
    db::RetryHooks hooks;
    hooks.sleep = [](std::chrono::milliseconds) {};
    EXPECT_THROW(
        db::run_transaction(
            *c,
            [&](db::Connection& conn) {
                ++runs;
                conn.execute("UPDATE change_marker SET version = version + 5 WHERE id = 1");
            },
            db::RetryPolicy{}, hooks),
        db::RuleViolation);
    EXPECT_EQ(runs, 1);
}

TEST(GaleraWriters, CliWritesOnTwoNodesAtOnceAllSucceed) {
    GaleraDatabase database;
    database.migrate();
    const std::string dir = policyd::testing::test_dir("cli-" + database.name());
    {
        auto c = database.connect(1);
        c->execute("INSERT INTO domain (name) VALUES ('example.de')");
        // Node 2 has it too before its creations start.
        auto c2 = database.connect(2);
        c2->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
        ASSERT_EQ(c2->query("SELECT COUNT(*) AS n FROM domain")[0].i64("n"), 1);
    }
    // Every mailbox creation bumps the one change_marker row, so creations on
    // two nodes at once collide at commit.
    constexpr int kPerNode = 25;
    auto creator = [&](int node) {
        const std::string conf = write_cli_config(dir, database.name(), host_list({node}));
        int failures = 0;
        for (int i = 0; i < kPerNode; ++i) {
            std::string out;
            const std::string address =
                "n" + std::to_string(node) + "-" + std::to_string(i) + "@example.de";
            if (boxwardenctl(conf, "mailbox create " + address, &out) != 0) {
                ++failures;
                std::fprintf(stderr, "%s\n", out.c_str());
            }
        }
        return failures;
    };
    auto a = std::async(std::launch::async, creator, 1);
    auto b = std::async(std::launch::async, creator, 2);
    EXPECT_EQ(a.get(), 0);
    EXPECT_EQ(b.get(), 0);
    auto c = database.connect(3);
    c->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
    EXPECT_EQ(c->query("SELECT COUNT(*) AS n FROM mailbox")[0].i64("n"), 2 * kPerNode);
}

}  // namespace
}  // namespace boxwarden::galera_testing
