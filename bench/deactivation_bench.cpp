// Plain-SQL deactivation latency: UPDATE mailbox SET active = 0, then poll
// the policy socket until it answers 5.2.1 (and the same for reactivation
// until DUNNO); p50/p99 over TRIALS distinct mailboxes.
// Usage: bench_deactivation --socket MYSQL_SOCK --database DB --target T
//        [--trials 100] [--domain bench.example] [--first 1000] [--poll-ms 2]
//        [--jitter-ms 1000]
// Each trial starts after a random pause of up to jitter-ms, so the UPDATEs
// do not phase-lock to the daemon's refresh ticks.
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "boxwarden/db.h"
#include "policy_client.h"

using namespace boxwarden;

namespace {

// Milliseconds from now until `client` answers an action starting with `want`.
double wait_for(bench::PolicyClient& client, const std::string& recipient, const std::string& want,
                std::chrono::steady_clock::time_point t0, int poll_ms) {
    const auto limit = t0 + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < limit) {
        if (client.ask(recipient).starts_with(want))
            return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    }
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    using bench::arg;
    const std::string socket = arg(argc, argv, "socket", "");
    const std::string database = arg(argc, argv, "database", "");
    const std::string target = arg(argc, argv, "target", "");
    if (socket.empty() || database.empty() || target.empty()) {
        std::fprintf(stderr,
                     "usage: bench_deactivation --socket S --database DB --target T "
                     "[--trials 100] [--domain D] [--first N] [--poll-ms 2]\n");
        return 2;
    }
    const int trials = std::stoi(arg(argc, argv, "trials", "100"));
    const int first = std::stoi(arg(argc, argv, "first", "1000"));
    const int poll_ms = std::stoi(arg(argc, argv, "poll-ms", "2"));
    const std::string domain = arg(argc, argv, "domain", "bench.example");
    const int jitter_ms = std::stoi(arg(argc, argv, "jitter-ms", "1000"));
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> jitter(0, jitter_ms);

    db::initialize_driver();
    db::ConnectionParams params;
    params.socket = socket;
    params.user = "root";
    params.database = database;
    db::Connection conn(params);
    bench::PolicyClient client(target);
    std::vector<double> off, on;
    int failures = 0;
    for (int i = 0; i < trials; ++i) {
        // Appended piecewise: g++ 12 -O3 misreads `"m" + std::to_string(...)`
        // as an overlapping memcpy (a known -Wrestrict false positive).
        std::string address = "m";
        address.append(std::to_string(first + i)).append(1, '@').append(domain);
        if (!client.ask(address).starts_with("DUNNO")) {
            std::fprintf(stderr, "%s is not DUNNO before the trial\n", address.c_str());
            ++failures;
            continue;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
        auto t0 = std::chrono::steady_clock::now();
        conn.execute("UPDATE mailbox SET active = 0 WHERE address = ?", {address});
        const double d = wait_for(client, address, "550 5.2.1", t0, poll_ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
        t0 = std::chrono::steady_clock::now();
        conn.execute("UPDATE mailbox SET active = 1 WHERE address = ?", {address});
        const double r = wait_for(client, address, "DUNNO", t0, poll_ms);
        if (d < 0 || r < 0) {
            ++failures;
            continue;
        }
        off.push_back(d);
        on.push_back(r);
    }
    std::printf(
        "trials %d, failures %d (poll every %d ms, random pause up to %d ms before each change)\n",
        trials, failures, poll_ms, jitter_ms);
    std::printf("deactivation -> 550 5.2.1: p50 %.0f ms  p99 %.0f ms  max %.0f ms\n",
                bench::percentile(off, 50), bench::percentile(off, 99),
                bench::percentile(off, 100));
    std::printf("reactivation -> DUNNO:     p50 %.0f ms  p99 %.0f ms  max %.0f ms\n",
                bench::percentile(on, 50), bench::percentile(on, 99), bench::percentile(on, 100));
    return failures == 0 ? 0 : 1;
}
