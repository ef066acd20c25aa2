// LogWriter (spool + fsync group commit + batched transactions) against one
// synchronous CALL record_activity per event, same events, same server.
// Usage: bench_log_writer --socket SOCK [--events 20000] [--threads 1,8,32]
//        [--spool-dir DIR] [--mysqld-pid PID] [--batch 500]
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "boxwarden/db.h"
#include "boxwarden/migrations.h"
#include "log_writer.h"

using namespace boxwarden;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* kDatabase = "bw_bench_log";

double self_cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

double seconds_since(Steady::time_point t0) {
    return std::chrono::duration<double>(Steady::now() - t0).count();
}

policyd::ActivityEvent make_event(const std::string& id) {
    policyd::ActivityEvent e;
    e.event_id = id;
    e.mailbox_address = "info@example.de";
    e.direction = "received";
    e.occurred_at = boxwarden::wall_clock_now();
    e.message_id = "<" + id + "@bench.example.org>";
    e.sender = "sender@example.org";
    e.recipients = "info@example.de";
    e.subject = "Benchmark message " + id;
    return e;
}

struct Result {
    double ack_rate = 0;   // events/s durable (LogWriter) or committed (direct)
    double done_rate = 0;  // events/s until in MySQL
    double p50_ms = 0, p99_ms = 0;
    double self_cpu_us = 0;    // this process, per event
    double mysqld_cpu_us = 0;  // mysqld, per event (-1 unknown)
};

// Runs `per_thread(t, latencies)` on `threads` threads; returns wall seconds.
template <typename F>
double run_threads(int threads, std::vector<std::vector<double>>& lat, F per_thread) {
    lat.assign(static_cast<size_t>(threads), {});
    std::vector<std::thread> ts;
    const auto t0 = Steady::now();
    for (int t = 0; t < threads; ++t) ts.emplace_back([&, t] { per_thread(t, lat[t]); });
    for (auto& th : ts) th.join();
    return seconds_since(t0);
}

std::vector<double> merged(const std::vector<std::vector<double>>& lat) {
    std::vector<double> all;
    for (const auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    return all;
}

Result bench_log_writer(const db::ConnectionParams& params, const std::filesystem::path& spool,
                        int events, int threads, size_t batch, pid_t mysqld, int round) {
    std::filesystem::remove_all(spool);
    policyd::LogWriterOptions o;
    o.spool_dir = spool;
    o.max_batch = batch;
    o.log = [](const std::string& m) { std::fprintf(stderr, "log writer: %s\n", m.c_str()); };
    policyd::LogWriter writer(params, o);
    writer.start();
    const double cpu0 = self_cpu_seconds(), my0 = bench::process_cpu_seconds(mysqld);
    const auto t0 = Steady::now();
    std::vector<std::vector<double>> lat;
    const double ack = run_threads(threads, lat, [&](int t, std::vector<double>& l) {
        for (int i = t; i < events; i += threads) {
            const auto e = make_event("lw" + std::to_string(round) + "-" + std::to_string(i));
            const auto s = Steady::now();
            if (!writer.submit(e)) std::abort();
            l.push_back(std::chrono::duration<double, std::milli>(Steady::now() - s).count());
        }
    });
    while (writer.stats().spooled > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const double done = seconds_since(t0);
    writer.stop();
    Result r;
    r.ack_rate = events / ack;
    r.done_rate = events / done;
    auto all = merged(lat);
    r.p50_ms = bench::percentile(all, 50);
    r.p99_ms = bench::percentile(all, 99);
    r.self_cpu_us = (self_cpu_seconds() - cpu0) / events * 1e6;
    r.mysqld_cpu_us = mysqld > 0 ? (bench::process_cpu_seconds(mysqld) - my0) / events * 1e6 : -1;
    return r;
}

Result bench_direct(const db::ConnectionParams& params, int events, int threads, pid_t mysqld,
                    int round) {
    const double cpu0 = self_cpu_seconds(), my0 = bench::process_cpu_seconds(mysqld);
    std::vector<std::vector<double>> lat;
    const double wall = run_threads(threads, lat, [&](int t, std::vector<double>& l) {
        db::ThreadScope scope;
        db::Connection c(params);
        for (int i = t; i < events; i += threads) {
            const auto e = make_event("dc" + std::to_string(round) + "-" + std::to_string(i));
            const auto s = Steady::now();
            c.execute(
                "CALL record_activity(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {e.event_id, e.mailbox_address, e.direction, db::format_sql_datetime(e.occurred_at),
                 e.message_id, e.sender, e.recipients, e.subject, std::int64_t{1}});
            l.push_back(std::chrono::duration<double, std::milli>(Steady::now() - s).count());
        }
    });
    Result r;
    r.ack_rate = r.done_rate = events / wall;
    auto all = merged(lat);
    r.p50_ms = bench::percentile(all, 50);
    r.p99_ms = bench::percentile(all, 99);
    r.self_cpu_us = (self_cpu_seconds() - cpu0) / events * 1e6;
    r.mysqld_cpu_us = mysqld > 0 ? (bench::process_cpu_seconds(mysqld) - my0) / events * 1e6 : -1;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string socket = bench::arg(argc, argv, "socket", "");
    if (socket.empty()) {
        std::fprintf(stderr,
                     "usage: bench_log_writer --socket SOCK [--events N] [--threads 1,8,32] "
                     "[--spool-dir DIR] [--mysqld-pid PID] [--batch N]\n");
        return 2;
    }
    const int events = std::stoi(bench::arg(argc, argv, "events", "20000"));
    const size_t batch = std::stoul(bench::arg(argc, argv, "batch", "500"));
    const pid_t mysqld = std::stoi(bench::arg(argc, argv, "mysqld-pid", "0"));
    const std::filesystem::path spool =
        bench::arg(argc, argv, "spool-dir", "/tmp/bw-bench-spool-" + std::to_string(::getpid()));
    std::vector<int> thread_counts;
    std::stringstream list(bench::arg(argc, argv, "threads", "1,8,32"));
    for (std::string item; std::getline(list, item, ',');) thread_counts.push_back(std::stoi(item));

    db::initialize_driver();
    db::ConnectionParams params;
    params.socket = socket;
    params.user = "root";
    params.read_timeout = params.write_timeout = std::chrono::seconds(60);
    {
        db::Connection admin(params);
        admin.execute_script_statement(std::string("DROP DATABASE IF EXISTS ") + kDatabase);
        admin.execute_script_statement(std::string("CREATE DATABASE ") + kDatabase +
                                       " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        const auto flush = admin.query("SELECT @@innodb_flush_log_at_trx_commit AS v");
        std::printf("innodb_flush_log_at_trx_commit = %s\n", flush[0].str("v").c_str());
    }
    params.database = kDatabase;
    {
        db::Connection c(params);
        apply_migrations(c, std::string(BOXWARDEN_SOURCE_DIR) + "/sql");
        c.execute("INSERT INTO domain (name) VALUES ('example.de')");
        c.execute("CALL create_mailbox('info@example.de')");
    }
    std::printf("events per run: %d, LogWriter max_batch %zu, spool %s\n\n", events, batch,
                spool.c_str());
    std::printf("%-8s %-10s %12s %12s %9s %9s %12s %12s\n", "threads", "path", "ack ev/s",
                "in-db ev/s", "p50 ms", "p99 ms", "self us/ev", "mysqld us/ev");
    int round = 0;
    for (const int t : thread_counts) {
        ++round;
        const Result lw = bench_log_writer(params, spool, events, t, batch, mysqld, round);
        const Result dc = bench_direct(params, events, t, mysqld, round);
        std::printf("%-8d %-10s %12.0f %12.0f %9.3f %9.3f %12.1f %12.1f\n", t, "LogWriter",
                    lw.ack_rate, lw.done_rate, lw.p50_ms, lw.p99_ms, lw.self_cpu_us,
                    lw.mysqld_cpu_us);
        std::printf("%-8d %-10s %12.0f %12.0f %9.3f %9.3f %12.1f %12.1f\n", t, "direct",
                    dc.ack_rate, dc.done_rate, dc.p50_ms, dc.p99_ms, dc.self_cpu_us,
                    dc.mysqld_cpu_us);
        std::printf("%-8d %-10s %12.1fx %11.1fx\n", t, "ratio", lw.ack_rate / dc.ack_rate,
                    lw.done_rate / dc.done_rate);
        std::fflush(stdout);
    }
    std::filesystem::remove_all(spool);
    return 0;
}
