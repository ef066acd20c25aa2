// Two "mail hosts" on the 3-node cluster: two policyd instances, each with
// its own spool and its own preferred node (docs/scale-out.md). Proves, with
// counts: the change feed stays incremental with writes spread over three
// nodes; every plain-SQL deactivation on node 1 comes into force at the
// policyd on node 3 (the delay is printed); out-of-office claims raced from both hosts give
// one reply per sender; activity events survive the SIGKILL of the node a
// host writes to, each stored once; a policyd whose node is cut off
// (SIGSTOP) answers from its cache, fails over, and never passes the cutoff.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "galera_support.h"
#include "policyd_harness.h"

namespace boxwarden::galera_testing {
namespace {

using namespace std::chrono_literals;
using policyd::testing::Client;
using policyd::testing::parse_reply;
using policyd::testing::PolicydProcess;
using policyd::testing::rcpt_request;
using policyd::testing::test_dir;
using policyd::testing::wait_until;
using SteadyClock = std::chrono::steady_clock;

double ms_since(SteadyClock::time_point a, SteadyClock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

class GaleraTwoHosts : public ::testing::Test {
  protected:
    void SetUp() override {
        database = std::make_unique<GaleraDatabase>();
        database->migrate();
        if (HasFatalFailure()) return;
        admin = database->connect(1);
        admin->execute("INSERT INTO domain (name) VALUES ('example.de')");
    }
    void TearDown() override {
        for (auto& p : daemons) p->stop();
        daemons.clear();
    }

    // A policyd reading from `nodes` (first = preferred), with its own spool.
    PolicydProcess& start_policyd(const std::string& name, const std::vector<int>& nodes,
                                  const std::string& cutoff = "30m",
                                  const std::string& full_reload = "29m",
                                  const std::string& extra = "") {
        PolicydProcess::Options o;
        o.dir = test_dir("galera-" + name + "-" + database->name());
        o.db_socket = o.dir + "/no-such-socket";  // db_hosts replaces it
        o.db_name = database->name();
        o.refresh_interval = "1s";
        o.cutoff = cutoff;
        o.full_reload_interval = full_reload;
        o.extra_config = "db_hosts = " + host_list(nodes) + "\n" + extra;
        daemons.push_back(std::make_unique<PolicydProcess>(o));
        EXPECT_TRUE(daemons.back()->start()) << daemons.back()->log();
        return *daemons.back();
    }

    std::unique_ptr<GaleraDatabase> database;
    std::unique_ptr<db::Connection> admin;
    std::vector<std::unique_ptr<PolicydProcess>> daemons;
};

std::size_t count_lines(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST_F(GaleraTwoHosts, ThousandPlainSqlChangesOverThreeNodesStayIncrementalAndNoneIsMissed) {
    constexpr int kMailboxes = 50;
    constexpr int kChanges = 1000;
    for (int i = 0; i < kMailboxes; ++i)
        admin->execute("INSERT INTO mailbox (address) VALUES (?)",
                       {"feed" + std::to_string(i) + "@example.de"});
    PolicydProcess& reader = start_policyd("feed", {3, 2, 1});
    ASSERT_FALSE(HasFailure());
    // Three admins, one per node, each changing mailboxes' names in plain SQL
    // at once: the change_log versions come from one counter row, so they
    // stay consecutive and in commit order whichever node wrote.
    std::atomic<int> next{0};
    auto admin_on = [&](int node) {
        db::ThreadScope scope;
        auto c = database->connect(node);
        std::minstd_rand rng(static_cast<unsigned>(node));
        for (int k; (k = next.fetch_add(1)) < kChanges;) {
            const int m = static_cast<int>(rng() % kMailboxes);
            admin_sql(*c, "UPDATE mailbox SET email_name = ? WHERE address = ?",
                      {"name " + std::to_string(k), "feed" + std::to_string(m) + "@example.de"});
        }
    };
    {
        auto a = std::async(std::launch::async, admin_on, 1);
        auto b = std::async(std::launch::async, admin_on, 2);
        auto c = std::async(std::launch::async, admin_on, 3);
        a.get();
        b.get();
        c.get();
    }
    auto truth = database->connect(3);
    truth->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
    const std::string marker = truth->query("SELECT version FROM change_marker")[0].str("version");
    ASSERT_TRUE(wait_until(
        [&] { return reader.query("request=status\n\n")["cache_version"] == marker; }, 30s))
        << reader.query("request=status\n\n")["cache_version"] << " vs " << marker;
    int missed = 0;
    for (const auto& r : truth->query("SELECT address, email_name FROM mailbox")) {
        auto m = reader.query("request=mailbox\naddress=" + r.str("address") + "\n\n");
        if (m["email_name"] != r.opt_str("email_name").value_or("")) ++missed;
    }
    const std::size_t full_loads = count_lines(reader.log(), "full cache load");
    std::printf(
        "[galera] %d plain-SQL changes over 3 nodes: marker %s, full reloads after the "
        "first load: %zu, mailboxes out of date: %d\n",
        kChanges, marker.c_str(), full_loads - 1, missed);
    EXPECT_EQ(missed, 0);
    EXPECT_EQ(full_loads, 1u) << reader.log();  // the start-up load only
}

TEST_F(GaleraTwoHosts, EveryDeactivationOnNode1ComesIntoForceAtThePolicydOnNode3) {
    constexpr int kTrials = 100;
    for (int i = 0; i < kTrials; ++i)
        admin->execute("INSERT INTO mailbox (address) VALUES (?)",
                       {"lat" + std::to_string(i) + "@example.de"});
    start_policyd("host-a", {1, 2, 3});
    PolicydProcess& host_b = start_policyd("host-b", {3, 2, 1});
    ASSERT_FALSE(HasFailure());
    // A deactivation every 100 ms on node 1; one poller asks host B (node 3)
    // about every pending mailbox until it answers active=0.
    std::vector<std::atomic<std::int64_t>> committed_ns(kTrials);
    std::vector<double> latency_ms(kTrials, -1);
    std::atomic<int> issued{0};
    const auto epoch = SteadyClock::now();
    auto since_epoch_ns = [&] {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - epoch)
            .count();
    };
    std::thread poller([&] {
        const auto give_up = SteadyClock::now() + 60s;
        int seen = 0;
        while (seen < kTrials && SteadyClock::now() < give_up) {
            for (int i = 0; i < issued.load(); ++i) {
                if (latency_ms[i] >= 0) continue;
                auto m = host_b.query("request=mailbox\naddress=lat" + std::to_string(i) +
                                      "@example.de\n\n");
                if (m["active"] == "0") {
                    latency_ms[i] = static_cast<double>(since_epoch_ns() - committed_ns[i]) / 1e6;
                    ++seen;
                }
            }
            std::this_thread::sleep_for(5ms);
        }
    });
    for (int i = 0; i < kTrials; ++i) {
        admin_sql(*admin, "UPDATE mailbox SET active = 0 WHERE address = ?",
                  {"lat" + std::to_string(i) + "@example.de"});
        committed_ns[i] = since_epoch_ns();  // the commit returned on node 1
        issued = i + 1;
        std::this_thread::sleep_for(100ms);
    }
    poller.join();
    int unseen = 0;
    std::vector<double> seen;
    for (double l : latency_ms) (l < 0 ? ++unseen : (seen.push_back(l), 0));
    std::printf(
        "[galera] deactivation on node 1 -> in force at the policyd on node 3 "
        "(refresh_interval 1s), %d trials: p50 %.0f ms, p99 %.0f ms, max %.0f ms, "
        "never seen %d\n",
        kTrials, percentile(seen, 50), percentile(seen, 99), percentile(seen, 100), unseen);
    // The delay is measured and printed (docs/scale-out.md), not asserted:
    // a loaded machine stretches it, and a test must not fail on speed.
    EXPECT_EQ(unseen, 0);
}

TEST_F(GaleraTwoHosts, OooClaimRacesFromBothHostsGiveExactlyOneReplyPerSender) {
    constexpr int kSenders = 1000;
    constexpr int kThreadsPerHost = 4;
    admin->execute(
        "INSERT INTO mailbox (address, ooo_enabled, ooo_subject) VALUES ('away@example.de', 1, "
        "'Weg')");
    PolicydProcess& host_a = start_policyd("ooo-a", {1, 2, 3});
    PolicydProcess& host_b = start_policyd("ooo-b", {3, 2, 1});
    ASSERT_FALSE(HasFailure());
    std::vector<std::atomic<int>> replies(kSenders);
    std::atomic<int> not_ok{0};
    std::mutex mu;
    std::string first_problem;
    auto claimer = [&](PolicydProcess* host, int part) {
        Client c = Client::connect_unix(host->query_socket());
        for (int s = part; s < kSenders; s += kThreadsPerHost) {
            c.send("request=ooo_claim\nmailbox=away@example.de\nsender=s" + std::to_string(s) +
                   "@example.org\n\n");
            auto reply = c.read_reply(30s);
            auto r = reply ? parse_reply(*reply) : std::map<std::string, std::string>{};
            if (r["status"] != "ok") {
                ++not_ok;
                std::lock_guard lock(mu);
                if (first_problem.empty()) first_problem = reply.value_or("<no reply>");
                if (!reply) c = Client::connect_unix(host->query_socket());
                continue;
            }
            if (r["should_reply"] == "1") ++replies[s];
        }
    };
    std::vector<std::thread> threads;
    for (int part = 0; part < kThreadsPerHost; ++part) {
        threads.emplace_back(claimer, &host_a, part);
        threads.emplace_back(claimer, &host_b, part);
    }
    for (auto& t : threads) t.join();
    int zero = 0, twice = 0;
    for (auto& r : replies) (r == 0 ? ++zero : r > 1 ? ++twice : 0);
    auto truth = database->connect(2);
    truth->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
    const auto rows = truth->query("SELECT COUNT(*) AS n FROM ooo_reply")[0].i64("n");
    std::printf(
        "[galera] %d senders claimed from both hosts at once: %d without a reply, %d "
        "with two, %d answers not ok, %lld ooo_reply rows\n",
        kSenders, zero, twice, not_ok.load(), static_cast<long long>(rows));
    EXPECT_EQ(not_ok.load(), 0) << first_problem;
    EXPECT_EQ(zero, 0);
    EXPECT_EQ(twice, 0);
    EXPECT_EQ(rows, kSenders);
}

// Restarts a node that a test stopped or killed, however the test ends.
struct NodeGuard {
    int node;
    bool stopped_by_signal = false;
    ~NodeGuard() {
        if (stopped_by_signal) ::kill(node_pid(node), SIGCONT);
        // A node woken from SIGSTOP believes it is Synced until it learns it
        // was evicted: first wait until another node counts three members.
        const int other = node == 1 ? 2 : 1;
        wait_until(
            [&] {
                try {
                    auto c = connect_node(other, "");
                    return c->query("SHOW STATUS LIKE 'wsrep_cluster_size'")[0].str("Value") == "3";
                } catch (const std::exception&) {
                    return false;
                }
            },
            120s, 200ms);
        std::string out;
        if (galera_sh("wait-synced " + std::to_string(node), &out) != 0)
            galera_sh("start-node " + std::to_string(node), &out);
    }
};

int events_to_send() {
    // The count the issue asks for; BOXWARDEN_GALERA_EVENTS may bound it.
    if (const char* e = std::getenv("BOXWARDEN_GALERA_EVENTS"); e && *e) return std::atoi(e);
    return 20000;
}

TEST_F(GaleraTwoHosts, ActivityEventsAreStoredExactlyOnceWhileTheWrittenNodeIsKilled) {
    const int total = events_to_send();
    constexpr int kThreadsPerHost = 2;
    admin->execute("INSERT INTO mailbox (address) VALUES ('log@example.de')");
    PolicydProcess& host_a = start_policyd("log-a", {1, 2, 3});  // writes to node 1
    PolicydProcess& host_b = start_policyd("log-b", {3, 2, 1});
    ASSERT_FALSE(HasFailure());
    admin.reset();  // node 1 is going away
    NodeGuard guard{1};
    std::atomic<int> sent{0};
    std::atomic<int> not_ok{0};
    auto sender = [&](PolicydProcess* host, const std::string& tag, int part, int count) {
        Client c = Client::connect_unix(host->query_socket());
        for (int i = 0; i < count; ++i) {
            const std::string id =
                "kill-" + tag + "-" + std::to_string(part) + "-" + std::to_string(i);
            for (int attempt = 0;; ++attempt) {
                c.send("request=record_activity\nevent_id=" + id +
                       "\nmailbox=log@example.de\ndirection=received\n"
                       "occurred_at=2026-12-01 10:00:00\nsender=a@example.org\n"
                       "recipients=log@example.de\nsubject=s\n\n");
                auto reply = c.read_reply(30s);
                if (reply && parse_reply(*reply)["status"] == "ok") break;
                ++not_ok;  // a caller retries until the event is durable
                if (!reply) c = Client::connect_unix(host->query_socket());
                if (attempt > 100) return;
            }
            ++sent;
        }
    };
    const auto started = SteadyClock::now();
    std::vector<std::thread> threads;
    const int per_thread = total / (2 * kThreadsPerHost);
    for (int part = 0; part < kThreadsPerHost; ++part) {
        threads.emplace_back(sender, &host_a, "a", part, per_thread);
        threads.emplace_back(sender, &host_b, "b", part, per_thread);
    }
    const int expected = per_thread * 2 * kThreadsPerHost;
    // SIGKILL node 1 a third of the way in; restart it two thirds in (it
    // rejoins by state transfer while both hosts keep writing).
    ASSERT_TRUE(wait_until([&] { return sent.load() >= expected / 3; }, 180s, 5ms));
    ASSERT_EQ(galera_sh("kill-node 1"), 0);
    const auto killed = SteadyClock::now();
    ASSERT_TRUE(wait_until([&] { return sent.load() >= 2 * expected / 3; }, 180s, 5ms));
    std::string restart_out;
    auto restart =
        std::async(std::launch::async, [&] { return galera_sh("start-node 1", &restart_out); });
    for (auto& t : threads) t.join();
    const auto submitted = SteadyClock::now();
    EXPECT_EQ(restart.get(), 0) << restart_out;
    const auto rejoined = SteadyClock::now();
    for (PolicydProcess* host : {&host_a, &host_b})
        EXPECT_TRUE(wait_until(
            [&] { return host->query("request=status\n\n")["spool_depth"] == "0"; }, 120s))
            << host->query("request=status\n\n")["spool_depth"];
    const auto drained = SteadyClock::now();
    for (int node : {2, 1}) {
        auto c = database->connect(node);
        c->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
        auto r = c->query(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids FROM activity WHERE event_id "
            "LIKE 'kill-%'")[0];
        std::printf("[galera] node %d: %lld activity rows, %lld distinct event_ids of %d sent\n",
                    node, static_cast<long long>(r.i64("n")), static_cast<long long>(r.i64("ids")),
                    expected);
        EXPECT_EQ(r.i64("n"), expected) << "node " << node;
        EXPECT_EQ(r.i64("ids"), expected) << "node " << node;
    }
    std::printf(
        "[galera] %d events over two hosts: node 1 killed after %.1f s, all submitted "
        "after %.1f s (%d resubmissions), node 1 Synced again after %.1f s, spools "
        "empty after %.1f s\n",
        expected, ms_since(started, killed) / 1000, ms_since(started, submitted) / 1000,
        not_ok.load(), ms_since(started, rejoined) / 1000, ms_since(started, drained) / 1000);
    EXPECT_EQ(sent.load(), expected);
}

TEST_F(GaleraTwoHosts, CutOffNodeIsFailedOverFromAndTheCutoffRuleHolds) {
    admin->execute("INSERT INTO mailbox (address) VALUES ('stay@example.de'), ('gone@example.de')");
    // Host B fails over from node 3 to node 2; host C has node 3 only, so it
    // must serve from its cache and then defer once the cutoff passes.
    PolicydProcess& host_b = start_policyd("cut-b", {3, 2}, "20s", "15s");
    PolicydProcess& host_c = start_policyd("cut-c", {3}, "5s", "4s");
    ASSERT_FALSE(HasFailure());
    ASSERT_EQ(host_b.policy_action(rcpt_request("stay@example.de")), "DUNNO");
    ASSERT_EQ(host_c.policy_action(rcpt_request("stay@example.de")), "DUNNO");
    NodeGuard guard{3};
    const int pid3 = node_pid(3);
    ASSERT_GT(pid3, 0);
    ASSERT_EQ(::kill(pid3, SIGSTOP), 0);
    guard.stopped_by_signal = true;
    const auto stopped = SteadyClock::now();
    std::atomic<bool> done{false};
    std::atomic<double> failover_ms{-1};
    int b_not_accepted = 0, c_accepted_past_cutoff = 0, c_deferred = 0, samples = 0;
    std::int64_t b_max_age = 0;
    std::string b_bad_answer;
    std::thread change([&] {
        db::ThreadScope scope;
        std::this_thread::sleep_for(500ms);
        auto c = database->connect(1);
        admin_sql(*c, "UPDATE mailbox SET active = 0 WHERE address = 'gone@example.de'");
    });
    while (ms_since(stopped, SteadyClock::now()) < 14000) {
        ++samples;
        auto b_status = host_b.query("request=status\n\n");
        b_max_age = std::max<std::int64_t>(b_max_age, std::atoll(b_status["cache_age_ms"].c_str()));
        const std::string b_action = host_b.policy_action(rcpt_request("stay@example.de"));
        if (b_action != "DUNNO") {
            ++b_not_accepted;
            b_bad_answer = b_action;
        }
        if (failover_ms < 0 &&
            host_b.query("request=mailbox\naddress=gone@example.de\n\n")["active"] == "0")
            failover_ms = ms_since(stopped, SteadyClock::now());
        // C: an accept is only allowed while its cache is younger than the cutoff.
        const auto c_age = std::atoll(host_c.query("request=status\n\n")["cache_age_ms"].c_str());
        const std::string c_action = host_c.policy_action(rcpt_request("stay@example.de"));
        if (c_action == "DUNNO" && c_age >= 5000) ++c_accepted_past_cutoff;
        if (c_action.rfind("DEFER", 0) == 0) ++c_deferred;
        std::this_thread::sleep_for(100ms);
    }
    change.join();
    ::kill(pid3, SIGCONT);
    guard.stopped_by_signal = false;
    std::printf(
        "[galera] node 3 SIGSTOPped: host B (nodes 3,2) saw a change made on node 1 "
        "%.0f ms after the stop (failover), max cache age %lld ms (cutoff 20 s), %d of %d "
        "answers not from cache; host C (node 3 only, cutoff 5 s): %d deferred, %d "
        "accepted past the cutoff\n",
        failover_ms.load(), static_cast<long long>(b_max_age), b_not_accepted, samples, c_deferred,
        c_accepted_past_cutoff);
    EXPECT_EQ(b_not_accepted, 0) << b_bad_answer;
    EXPECT_GE(failover_ms.load(), 0) << "host B never saw the change: no failover\n"
                                     << host_b.log();
    EXPECT_LT(b_max_age, 20000);
    EXPECT_EQ(c_accepted_past_cutoff, 0);
    EXPECT_GT(c_deferred, 0) << host_c.log();
    EXPECT_NE(host_b.log().find("failed over"), std::string::npos) << host_b.log();
}

}  // namespace
}  // namespace boxwarden::galera_testing
