// core/database's one retry helper (boxwarden/retry.h), against a fake
// connection: conflicts are run again within bounds and with jittered
// backoff, a rule refusal never is, a broken connection is not retried on.
#include "boxwarden/retry.h"
#include "boxwarden/trigger_tables.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace boxwarden::db {
namespace {

// Records the calls a transaction makes.
struct FakeConnection {
    std::vector<std::string> calls;
    bool is_broken = false;
    void begin() { calls.push_back("begin"); }
    void commit() { calls.push_back("commit"); }
    void rollback() { calls.push_back("rollback"); }
    bool broken() const { return is_broken; }
};

TemporaryFailure certification_failure() {
    return TemporaryFailure("Deadlock found when trying to get lock; try restarting transaction",
                            1213, "40001");
}

struct Recorder {
    std::vector<std::chrono::milliseconds> sleeps;
    std::vector<int> retried_attempts;
    RetryHooks hooks() {
        RetryHooks h;
        h.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
        h.random01 = [] { return 1.0; };
        h.on_retry = [this](const Error&, int attempt) { retried_attempts.push_back(attempt); };
        return h;
    }
};

TEST(DatabaseRetry, CertificationFailureIsRunAgainUntilItCommits) {
    FakeConnection conn;
    Recorder rec;
    int runs = 0;
    const int result = run_transaction(
        conn,
        [&](FakeConnection&) {
            if (++runs < 3) throw certification_failure();
            return 42;
        },
        RetryPolicy{}, rec.hooks());
    EXPECT_EQ(result, 42);
    EXPECT_EQ(runs, 3);
    EXPECT_EQ(conn.calls, (std::vector<std::string>{"begin", "rollback", "begin", "rollback",
                                                    "begin", "commit"}));
    EXPECT_EQ(rec.retried_attempts, (std::vector<int>{1, 2}));
    ASSERT_EQ(rec.sleeps.size(), 2u);
    EXPECT_LT(rec.sleeps[0], rec.sleeps[1]);  // backoff grows
}

TEST(DatabaseRetry, ACommitThatFailsCertificationIsRetriedAndTheResultIsTheLastRun) {
    struct CommitFails : FakeConnection {
        int commits_left_to_fail = 1;
        void commit() {
            FakeConnection::commit();
            if (commits_left_to_fail-- > 0) throw certification_failure();
        }
    } conn;
    Recorder rec;
    int runs = 0;
    const int result = run_transaction(
        conn, [&](CommitFails&) { return ++runs; }, RetryPolicy{}, rec.hooks());
    EXPECT_EQ(result, 2);  // the value of the run whose commit succeeded
    EXPECT_EQ(conn.calls,
              (std::vector<std::string>{"begin", "commit", "rollback", "begin", "commit"}));
}

TEST(DatabaseRetry, GivesUpAfterTheBoundAndPassesTheLastErrorOn) {
    FakeConnection conn;
    Recorder rec;
    int runs = 0;
    RetryPolicy policy;
    policy.max_attempts = 4;
    try {
        run_transaction(
            conn, [&](FakeConnection&) { ++runs, throw certification_failure(); }, policy,
            rec.hooks());
        FAIL() << "expected the conflict to be passed on";
    } catch (const TemporaryFailure& e) {
        EXPECT_EQ(e.code(), 1213);
    }
    EXPECT_EQ(runs, 4);
    EXPECT_EQ(rec.sleeps.size(), 3u);
}

// Runs a transaction whose body always throws `error`; returns its runs.
template <typename Conn, typename E>
int runs_until_passed_on(Conn& conn, const E& error, const RetryHooks& hooks = {}) {
    int runs = 0;
    EXPECT_THROW(run_transaction(
                     conn,
                     [&](FakeConnection&) {
                         ++runs;
                         throw error;
                     },
                     RetryPolicy{}, hooks),
                 E);
    return runs;
}

TEST(DatabaseRetry, RuleRefusalIsNeverRetried) {
    FakeConnection conn;
    Recorder rec;
    EXPECT_EQ(runs_until_passed_on(conn, RuleViolation("mailbox is inactive", 1644, "45000"),
                                   rec.hooks()),
              1);
    EXPECT_TRUE(rec.sleeps.empty());
    EXPECT_EQ(conn.calls, (std::vector<std::string>{"begin", "rollback"}));
}

TEST(DatabaseRetry, LostConnectionAndNodeNotReadyAreNotRetriedHere) {
    for (const auto& error : {TemporaryFailure("server has gone away", 2006, "08S01"),
                              TemporaryFailure("WSREP has not yet prepared node", 1047, "08S01")}) {
        FakeConnection conn;
        Recorder rec;
        int runs = 0;
        EXPECT_THROW(
            run_transaction(
                conn, [&](FakeConnection&) { ++runs, throw error; }, RetryPolicy{}, rec.hooks()),
            TemporaryFailure);
        EXPECT_EQ(runs, 1) << error.what();
    }
}

TEST(DatabaseRetry, AConflictOnABrokenConnectionIsNotRetried) {
    FakeConnection conn;
    Recorder rec;
    int runs = 0;
    EXPECT_THROW(run_transaction(
                     conn,
                     [&](FakeConnection& c) {
                         ++runs;
                         c.is_broken = true;
                         throw certification_failure();
                     },
                     RetryPolicy{}, rec.hooks()),
                 TemporaryFailure);
    EXPECT_EQ(runs, 1);
}

// A connection that notices a transaction the server rolled back silently.
struct GuardedConnection : FakeConnection {
    bool lose_next = false;  // the server rolls the next transaction back unseen
    bool lost = false;
    void mark_transaction_start() {
        calls.push_back("savepoint");
        lost = std::exchange(lose_next, false);
    }
    bool transaction_was_lost() {
        calls.push_back("check");
        return lost;
    }
};

TEST(DatabaseRetry, ARefusalInsideASilentlyRolledBackTransactionIsRetriedAsAConflict) {
    GuardedConnection conn;
    conn.lose_next = true;
    Recorder rec;
    int runs = 0;
    // The first run's insert vanished with the rollback, so the follow-up
    // look-up says "not found"; the rerun sees its own insert.
    const int result = run_transaction(
        conn,
        [&](GuardedConnection& c) {
            ++runs;
            if (c.lost) throw RuleViolation("mailbox does not exist", 1644, "45000");
            return 7;
        },
        RetryPolicy{}, rec.hooks());
    EXPECT_EQ(result, 7);
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(conn.calls, (std::vector<std::string>{"begin", "savepoint", "check", "rollback",
                                                    "begin", "savepoint", "commit"}));
    EXPECT_EQ(rec.retried_attempts, (std::vector<int>{1}));
}

TEST(DatabaseRetry, ARefusalInAnIntactTransactionIsStillNotRetried) {
    GuardedConnection conn;
    Recorder rec;
    int runs = 0;
    EXPECT_THROW(run_transaction(
                     conn,
                     [&](GuardedConnection&) {
                         ++runs;
                         throw RuleViolation("mailbox does not exist", 1644, "45000");
                     },
                     RetryPolicy{}, rec.hooks()),
                 RuleViolation);
    EXPECT_EQ(runs, 1);
}

TEST(DatabaseRetry, LockWaitTimeoutIsRetriedFewerTimes) {
    FakeConnection conn;
    Recorder rec;
    int runs = 0;
    RetryPolicy policy;
    policy.max_lock_wait_attempts = 2;
    EXPECT_THROW(run_transaction(
                     conn,
                     [&](FakeConnection&) {
                         ++runs;
                         throw TemporaryFailure("Lock wait timeout exceeded", 1205, "HY000");
                     },
                     policy, rec.hooks()),
                 TemporaryFailure);
    EXPECT_EQ(runs, 2);
}

TEST(DatabaseRetry, DelayIsExponentialCappedAndJitteredToTheUpperHalf) {
    RetryPolicy p;
    p.first_delay = std::chrono::milliseconds(10);
    p.max_delay = std::chrono::milliseconds(100);
    EXPECT_EQ(retry_delay(p, 2, 1.0).count(), 10);
    EXPECT_EQ(retry_delay(p, 2, 0.0).count(), 5);
    EXPECT_EQ(retry_delay(p, 3, 1.0).count(), 20);
    EXPECT_EQ(retry_delay(p, 4, 1.0).count(), 40);
    EXPECT_EQ(retry_delay(p, 9, 1.0).count(), 100);
    EXPECT_EQ(retry_delay(p, 9, 0.0).count(), 50);
    const auto mid = retry_delay(p, 3, 0.5).count();
    EXPECT_GE(mid, 10);
    EXPECT_LE(mid, 20);
}

TEST(DatabaseRetry, ClassifiesByErrorCode) {
    EXPECT_EQ(retry_class(TemporaryFailure("x", 1213, "40001")), RetryClass::Conflict);
    EXPECT_EQ(retry_class(TemporaryFailure("x", 1180, "HY000")), RetryClass::Conflict);
    EXPECT_EQ(retry_class(TemporaryFailure("x", 1205, "HY000")), RetryClass::LockWait);
    EXPECT_EQ(retry_class(RuleViolation("x", 1644, "45000")), RetryClass::None);
    EXPECT_EQ(retry_class(RuleViolation("x", 1062, "23000")), RetryClass::None);
    EXPECT_EQ(retry_class(TemporaryFailure("x", 2013, "HY000")), RetryClass::None);
}

Error unloaded_triggers() {
    return Error(
        "statement failed: Trigger 'mailbox_before_insert' has an error in its body: 'You have an "
        "error in your SQL syntax; check the manual near 'IF' at line 3'",
        1064, "42000");
}

// A connection that can make the server reload a table's triggers.
struct ReloadingConnection : FakeConnection {
    std::vector<std::string> reloads;
    std::vector<std::string> reload_trigger_tables(std::string_view message) {
        calls.push_back("reload");
        reloads.emplace_back(message);
        return {"mailbox"};
    }
};

TEST(DatabaseRetry, UnloadedTriggersAreReloadedOnceThenTheTransactionRunsAgain) {
    ReloadingConnection conn;
    Recorder rec;
    int runs = 0;
    run_transaction(
        conn,
        [&](FakeConnection&) {
            if (++runs == 1) throw unloaded_triggers();
        },
        RetryPolicy{}, rec.hooks());
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(conn.calls,
              (std::vector<std::string>{"begin", "rollback", "reload", "begin", "commit"}));
    ASSERT_EQ(conn.reloads.size(), 1u);
    EXPECT_NE(conn.reloads[0].find("mailbox_before_insert"), std::string::npos);
}

TEST(DatabaseRetry, TriggersThatStayBrokenAfterTheReloadArePassedOn) {
    ReloadingConnection conn;
    Recorder rec;
    // One reload, one more run: a trigger broken on disk is not looped on.
    EXPECT_EQ(runs_until_passed_on(conn, unloaded_triggers(), rec.hooks()), 2);
    EXPECT_EQ(conn.reloads.size(), 1u);
}

TEST(DatabaseRetry, UnloadedTriggersWithoutAWayToReloadArePassedOnAtOnce) {
    FakeConnection conn;
    EXPECT_EQ(runs_until_passed_on(conn, unloaded_triggers()), 1);
}

TEST(DatabaseRetry, AnOrdinarySyntaxErrorIsNotATriggerReload) {
    EXPECT_EQ(retry_class(Error("You have an error in your SQL syntax", 1064, "42000")),
              RetryClass::None);
    EXPECT_EQ(retry_class(unloaded_triggers()), RetryClass::UnloadedTriggers);
    EXPECT_EQ(retry_class(Error("Unknown trigger has an error in its body: 'Query was empty'", 1064,
                                "42000")),
              RetryClass::UnloadedTriggers);
}

TEST(DatabaseTriggerTables, TheNamedTriggersTableIsTheLongestMatchingPrefix) {
    using V = std::vector<std::string_view>;
    EXPECT_EQ(tables_for_unloaded_triggers(
                  "Trigger 'mailbox_before_insert' has an error in its body: 'x'"),
              V{"mailbox"});
    EXPECT_EQ(tables_for_unloaded_triggers(
                  "Trigger 'mailbox_assignment_before_update' has an error in its body: 'x'"),
              V{"mailbox_assignment"});
    EXPECT_EQ(tables_for_unloaded_triggers(
                  "Trigger 'web_admin_totp_before_insert' has an error in its body: 'x'"),
              V{"web_admin_totp"});
    EXPECT_EQ(tables_for_unloaded_triggers(
                  "Trigger 'boxwarden.activity_before_delete' has an error in its body: 'x'"),
              V{"activity"});
}

TEST(DatabaseTriggerTables, AnUnnamedOrForeignTriggerMeansEveryTableWithTriggers) {
    EXPECT_EQ(
        tables_for_unloaded_triggers("Unknown trigger has an error in its body: 'Query was empty'"),
        tables_with_triggers());
    EXPECT_EQ(tables_for_unloaded_triggers("Trigger 'audit_x' has an error in its body: 'x'"),
              tables_with_triggers());
    EXPECT_EQ(tables_with_triggers().size(), 16u);
}

TEST(DatabaseHostList, ParsesHostsAndPortsInOrder) {
    const auto hosts = parse_host_list(" 10.0.0.11:3311, db2 ,127.0.0.1:3313", 3306);
    ASSERT_EQ(hosts.size(), 3u);
    EXPECT_EQ(hosts[0].host, "10.0.0.11");
    EXPECT_EQ(hosts[0].port, 3311);
    EXPECT_EQ(hosts[1].host, "db2");
    EXPECT_EQ(hosts[1].port, 3306);
    EXPECT_EQ(hosts[2].port, 3313);
    EXPECT_TRUE(parse_host_list("  ", 3306).empty());
    EXPECT_THROW(parse_host_list("a,,b", 3306), std::invalid_argument);
    EXPECT_THROW(parse_host_list("a:0", 3306), std::invalid_argument);
    EXPECT_THROW(parse_host_list("a:99999", 3306), std::invalid_argument);
    EXPECT_THROW(parse_host_list("a:x", 3306), std::invalid_argument);
    EXPECT_THROW(parse_host_list(":3306", 3306), std::invalid_argument);
}

}  // namespace
}  // namespace boxwarden::db
