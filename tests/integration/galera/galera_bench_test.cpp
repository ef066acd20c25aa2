// The scale-out benchmark (docs/benchmarks.md "Scale-out on Galera"), not
// part of the test run (DISABLED_): run it once on a quiet machine, with
// the cluster up (tests/harness/galera.sh start BUILD/test-galera), as
//   galera_integration_tests --gtest_also_run_disabled_tests
//       --gtest_filter='DISABLED_GaleraBench.*'
// Activity events/s through policyd's spool into one MariaDB server versus
// into the 3-node cluster (two policyd hosts on nodes 1 and 3), durable
// commits on both (innodb_flush_log_at_trx_commit=1), and, during the
// cluster run, the delay of a configuration change made on node 1 until it
// is visible on node 3 and until it is in force at the policyd on node 3.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "galera_support.h"
#include "policyd_harness.h"

namespace boxwarden::galera_testing {
namespace {

using namespace std::chrono_literals;
using policyd::testing::Client;
using policyd::testing::parse_reply;
using policyd::testing::PolicydProcess;
using policyd::testing::PrivateMariadb;
using policyd::testing::test_dir;
using policyd::testing::wait_until;
using SteadyClock = std::chrono::steady_clock;

constexpr int kEvents = 40000;
constexpr int kThreadsPerHost = 4;

double seconds_since(SteadyClock::time_point t) {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// Sends `count` events through one policyd from kThreadsPerHost clients.
void send_events(PolicydProcess& host, const std::string& tag, int count) {
    std::vector<std::thread> threads;
    for (int part = 0; part < kThreadsPerHost; ++part)
        threads.emplace_back([&, part] {
            Client c = Client::connect_unix(host.query_socket());
            for (int i = part; i < count; i += kThreadsPerHost) {
                c.send(
                    "request=record_activity\nevent_id=bench-" + tag + "-" + std::to_string(i) +
                    "\nmailbox=bench@example.de\ndirection=received\noccurred_at=2026-12-01 "
                    "10:00:00\nsender=a@example.org\nrecipients=bench@example.de\nsubject=s\n\n");
                auto r = c.read_reply(30s);
                ASSERT_TRUE(r && parse_reply(*r)["status"] == "ok");
            }
        });
    for (auto& t : threads) t.join();
}

std::int64_t stored(db::Connection& c) {
    return c.query("SELECT COUNT(*) AS n FROM activity WHERE event_id LIKE 'bench-%'")[0].i64("n");
}

PolicydProcess::Options options(const std::string& name, const std::string& database) {
    PolicydProcess::Options o;
    o.dir = test_dir("bench-" + name);
    o.db_name = database;
    o.refresh_interval = "1s";
    o.cutoff = "30m";
    o.full_reload_interval = "29m";
    return o;
}

TEST(DISABLED_GaleraBench, ActivityThroughputAndConfigurationDelay) {
    // --- one server -------------------------------------------------------
    double single_rate = 0, single_submit = 0;
    {
        ::setenv("BOXWARDEN_MARIADB_FLUSH_AT_COMMIT", "1", 1);
        PrivateMariadb server(test_dir("bench-single-db"));
        ASSERT_TRUE(server.create_and_start());
        const std::string db = "bw_bench";
        std::string out;
        ASSERT_EQ(policyd::testing::mariadb_exec(server.socket(), "", "CREATE DATABASE " + db), 0);
        const std::string conf = test_dir("bench-single-cli") + "/c.conf";
        std::ofstream(conf) << "db_socket = " << server.socket() << "\ndb_name = " << db
                            << "\ndb_user = root\nsql_dir = " << GALERA_SQL_DIR << "\n";
        ASSERT_EQ(boxwardenctl(conf, "db migrate", &out), 0) << out;
        db::ConnectionParams p;
        p.socket = server.socket();
        p.user = "root";
        p.database = db;
        db::Connection c(p);
        c.execute("INSERT INTO domain (name) VALUES ('example.de')");
        c.execute("INSERT INTO mailbox (address) VALUES ('bench@example.de')");
        auto o = options("single", db);
        o.db_socket = server.socket();
        PolicydProcess host(o);
        ASSERT_TRUE(host.start()) << host.log();
        const auto t0 = SteadyClock::now();
        send_events(host, "s", kEvents);
        single_submit = kEvents / seconds_since(t0);
        ASSERT_TRUE(wait_until([&] { return stored(c) == kEvents; }, 300s, 20ms));
        single_rate = kEvents / seconds_since(t0);
        host.stop();
        server.stop();
    }

    // --- the cluster, two hosts --------------------------------------------
    GaleraDatabase database;
    database.migrate();
    auto admin = database.connect(1);
    admin->execute("INSERT INTO domain (name) VALUES ('example.de')");
    admin->execute("INSERT INTO mailbox (address) VALUES ('bench@example.de')");
    for (int i = 0; i < 400; ++i)
        admin->execute("INSERT INTO mailbox (address) VALUES (?)",
                       {"cfg" + std::to_string(i) + "@example.de"});
    auto oa = options("host-a", database.name());
    oa.db_socket = oa.dir + "/none";
    oa.extra_config = "db_hosts = " + host_list({1, 2, 3}) + "\n";
    auto ob = options("host-b", database.name());
    ob.db_socket = ob.dir + "/none";
    ob.extra_config = "db_hosts = " + host_list({3, 2, 1}) + "\n";
    PolicydProcess host_a(oa), host_b(ob);
    ASSERT_TRUE(host_a.start()) << host_a.log();
    ASSERT_TRUE(host_b.start()) << host_b.log();

    // Configuration changes on node 1 during the load, one every 250 ms:
    // when node 3 has it (replication), when policyd on node 3 answers it.
    std::atomic<bool> loading{true};
    std::vector<double> replication_ms, in_force_ms;
    std::thread prober([&] {
        db::ThreadScope scope;
        auto w = database.connect(1);
        auto r = database.connect(3);
        for (int i = 0; loading && i < 400; ++i) {
            const std::string address = "cfg" + std::to_string(i) + "@example.de";
            admin_sql(*w, "UPDATE mailbox SET email_name = 'changed' WHERE address = ?", {address});
            const auto t = SteadyClock::now();
            bool replicated = false;
            while (seconds_since(t) < 10) {
                if (!replicated &&
                    r->query("SELECT email_name FROM mailbox WHERE address = ?", {address})[0]
                            .opt_str("email_name")
                            .value_or("") == "changed") {
                    replication_ms.push_back(seconds_since(t) * 1000);
                    replicated = true;
                }
                if (replicated && host_b.query("request=mailbox\naddress=" + address +
                                               "\n\n")["email_name"] == "changed") {
                    in_force_ms.push_back(seconds_since(t) * 1000);
                    break;
                }
                std::this_thread::sleep_for(1ms);
            }
            std::this_thread::sleep_for(250ms);
        }
    });
    auto check = database.connect(2);
    const auto t0 = SteadyClock::now();
    std::thread a([&] { send_events(host_a, "a", kEvents / 2); });
    std::thread b([&] { send_events(host_b, "b", kEvents / 2); });
    a.join();
    b.join();
    const double cluster_submit = kEvents / seconds_since(t0);
    ASSERT_TRUE(wait_until([&] { return stored(*check) == kEvents; }, 300s, 20ms));
    const double cluster_rate = kEvents / seconds_since(t0);
    loading = false;
    prober.join();
    const auto a_stats = host_a.query("request=status\n\n");
    std::printf(
        "[galera-bench] %d activity events, %d clients per host, durable commits:\n"
        "  one server, one policyd:           %.0f events/s stored (%.0f/s acknowledged)\n"
        "  3-node cluster, two policyd hosts: %.0f events/s stored (%.0f/s acknowledged)\n"
        "  config change node 1 -> node 3 during the cluster load (%zu changes): replicated "
        "p50 %.1f ms, p99 %.1f ms; in force at policyd on node 3 p50 %.0f ms, p99 %.0f ms\n",
        kEvents, kThreadsPerHost, single_rate, single_submit, cluster_rate, cluster_submit,
        replication_ms.size(), percentile(replication_ms, 50), percentile(replication_ms, 99),
        percentile(in_force_ms, 50), percentile(in_force_ms, 99));
}

}  // namespace
}  // namespace boxwarden::galera_testing
