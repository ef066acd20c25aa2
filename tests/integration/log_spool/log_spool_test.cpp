// The durable log-write path end to end: LogWriter -> spool -> MariaDB,
// counted row by row. Every wait is a bounded poll.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "boxwarden/migrations.h"
#include "log_writer.h"
#include "private_mariadb.h"
#include "test_database.h"

extern char** environ;

namespace boxwarden::policyd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::PrivateMariadb;
using testing::ScratchDatabase;

fs::path work_dir(const std::string& name) {
    const fs::path d = fs::path(LOG_SPOOL_WORK_DIR) / (name + "-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// Mailboxes, a user, and nothing else: what the events refer to.
void seed(db::Connection& c) {
    c.execute("INSERT INTO domain (name) VALUES (?)", {std::string("example.de")});
    for (const char* a : {"info@example.de", "sales@example.de"})
        c.execute("CALL create_mailbox(?)", {std::string(a)});
    c.execute("INSERT INTO user_account (login, display_name) VALUES (?, ?)",
              {std::string("anna"), std::string("Anna")});
}

ActivityEvent activity(const std::string& id, const std::string& mailbox = "info@example.de") {
    ActivityEvent e;
    e.event_id = id;
    e.mailbox_address = mailbox;
    e.direction = "received";
    e.occurred_at = boxwarden::wall_clock_now();
    e.message_id = "<" + id + "@example.org>";
    e.sender = "someone@example.org";
    e.recipients = mailbox;
    e.subject = "Grüße " + id;
    return e;
}

AgentActionEvent action(const std::string& id, const std::string& login = "anna") {
    return AgentActionEvent{id,     "sales@example.de",          login,
                            "read", boxwarden::wall_clock_now(), "<" + id + "@example.org>"};
}

// Thread-safe log sink, printed on failure.
struct LogSink {
    std::mutex mu;
    std::vector<std::string> lines;
    std::function<void(const std::string&)> fn() {
        return [this](const std::string& m) {
            std::lock_guard lock(mu);
            lines.push_back(m);
        };
    }
    bool contains(const std::string& needle) {
        std::lock_guard lock(mu);
        for (const auto& l : lines)
            if (l.find(needle) != std::string::npos) return true;
        return false;
    }
    std::string dump() {
        std::lock_guard lock(mu);
        std::string out;
        for (const auto& l : lines) out += l + "\n";
        return out;
    }
};

LogWriterOptions options(const fs::path& spool, LogSink& sink) {
    LogWriterOptions o;
    o.spool_dir = spool;
    o.max_batch = 100;
    o.max_batch_delay = 10ms;
    o.retry_interval = 200ms;
    o.log = sink.fn();
    return o;
}

std::int64_t count(db::Connection& c, const std::string& sql) {
    return c.query(sql)[0].i64("n");
}

// Event ids of a table in commit (id) order.
std::vector<std::string> ids_in_order(db::Connection& c, const std::string& table) {
    std::vector<std::string> out;
    for (const auto& r : c.query("SELECT event_id FROM " + table + " ORDER BY id"))
        out.push_back(r.str("event_id"));
    return out;
}

// "<prefix><thread>-<n>": per thread, n must grow along commit order.
void expect_per_thread_order(const std::vector<std::string>& ids) {
    std::map<std::string, long> last;
    for (const auto& id : ids) {
        const auto dash = id.rfind('-');
        const std::string stream = id.substr(0, dash);
        const long n = std::stol(id.substr(dash + 1));
        auto [it, fresh] = last.emplace(stream, n);
        if (!fresh) {
            EXPECT_GT(n, it->second) << "out of order: " << id;
            it->second = n;
        }
    }
}

// Polls until `done` holds (bounded); true when it did.
template <typename F>
bool eventually(F done, std::chrono::seconds limit = 120s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return done();
}

TEST(LogSpool, ExactlyOnceAcrossAMariadbSigkillAndRestart) {
    const fs::path dir = work_dir("sigkill");
    PrivateMariadb server(dir / "mariadb");
    {
        db::Connection admin(server.params(""));
        admin.execute_script_statement(
            "CREATE DATABASE bw CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    {
        db::Connection c(server.params("bw"));
        apply_migrations(c, std::string(BOXWARDEN_SOURCE_DIR) + "/sql");
        seed(c);
    }
    LogSink sink;
    LogWriter writer(server.params("bw"), options(dir / "spool", sink));
    writer.start();

    constexpr int kThreads = 4, kEach = 500, kTotal = kThreads * kEach;
    std::atomic<int> acknowledged{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
                const bool ok =
                    (i % 4 == 3) ? writer.submit(action(id)) : writer.submit(activity(id));
                ASSERT_TRUE(ok) << id;
                ++acknowledged;
                std::this_thread::sleep_for(1ms);  // a stream, not one burst
            }
        });
    ASSERT_TRUE(eventually([&] { return acknowledged >= kTotal / 4; }));
    server.kill_hard();
    const int at_kill = acknowledged;
    std::this_thread::sleep_for(1500ms);  // writes keep arriving while it is down
    ASSERT_TRUE(eventually([&] { return writer.stats().database_ok == false; }, 30s))
        << sink.dump();
    server.restart();
    for (auto& th : threads) th.join();
    EXPECT_LT(at_kill, kTotal) << "the kill should land mid-stream";

    db::Connection c(server.params("bw"));
    const std::string rows =
        "SELECT (SELECT COUNT(*) FROM activity) + (SELECT COUNT(*) FROM agent_log) AS n";
    ASSERT_TRUE(eventually([&] { return count(c, rows) >= kTotal; })) << sink.dump();
    ASSERT_TRUE(eventually([&] { return writer.stats().spooled == 0; })) << sink.dump();
    writer.stop();

    EXPECT_EQ(count(c, rows), kTotal);
    EXPECT_EQ(count(c, "SELECT COUNT(DISTINCT event_id) AS n FROM activity") +
                  count(c, "SELECT COUNT(DISTINCT event_id) AS n FROM agent_log"),
              kTotal);
    std::set<std::string> seen;
    for (const char* table : {"activity", "agent_log"}) {
        const auto ids = ids_in_order(c, table);
        expect_per_thread_order(ids);
        for (const auto& id : ids) EXPECT_TRUE(seen.insert(id).second) << "twice: " << id;
    }
    for (int t = 0; t < kThreads; ++t)
        for (int i = 0; i < kEach; ++i)
            EXPECT_TRUE(seen.count("t" + std::to_string(t) + "-" + std::to_string(i)))
                << "missing t" << t << "-" << i;
    const LogWriterStats s = writer.stats();
    EXPECT_EQ(s.submitted, static_cast<std::uint64_t>(kTotal));
    EXPECT_GE(s.written, static_cast<std::uint64_t>(kTotal));
    EXPECT_EQ(s.rejected, 0u);
    EXPECT_TRUE(s.database_ok);
    EXPECT_TRUE(sink.contains("cannot write to the database")) << sink.dump();
    EXPECT_TRUE(sink.contains("database reachable again")) << sink.dump();
}

TEST(LogSpool, StopFlushesEverythingBeforeReturning) {
    ScratchDatabase scratch;
    auto c = scratch.connect();
    seed(*c);
    const fs::path dir = work_dir("stop");
    LogSink sink;
    LogWriter writer(scratch.params(), options(dir / "spool", sink));
    writer.start();
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(writer.submit(activity("s-" + std::to_string(i))));
    writer.stop(30s);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) AS n FROM activity"), 500);
    EXPECT_EQ(writer.stats().spooled, 0u);
    expect_per_thread_order(ids_in_order(*c, "activity"));
}

TEST(LogSpool, RefusedEventsGoToRejectedAndDoNotBlockTheRest) {
    ScratchDatabase scratch;
    auto c = scratch.connect();
    seed(*c);
    const fs::path dir = work_dir("rejected");
    LogSink sink;
    LogWriter writer(scratch.params(), options(dir / "spool", sink));
    int refused = 0;
    for (int i = 0; i < 200; ++i) {
        const std::string id = "r-" + std::to_string(i);
        if (i % 20 == 5) {
            ASSERT_TRUE(writer.submit(activity(id, "ghost@example.de")));
            ++refused;
        } else if (i % 20 == 15) {
            ASSERT_TRUE(writer.submit(action(id, "nobody")));
            ++refused;
        } else {
            ASSERT_TRUE(writer.submit(i % 2 ? LogEvent(action(id)) : LogEvent(activity(id))));
        }
    }
    writer.start();  // everything was spooled first: one full batch holds refusals
    ASSERT_TRUE(eventually([&] { return writer.stats().spooled == 0; })) << sink.dump();
    writer.stop();

    EXPECT_EQ(count(*c, "SELECT COUNT(*) AS n FROM activity") +
                  count(*c, "SELECT COUNT(*) AS n FROM agent_log"),
              200 - refused);
    EXPECT_EQ(writer.stats().rejected, static_cast<std::uint64_t>(refused));
    EXPECT_EQ(writer.stats().written, static_cast<std::uint64_t>(200 - refused));
    std::vector<std::string> rejected_files;
    for (const auto& e : fs::directory_iterator(dir / "spool" / "rejected")) {
        std::ifstream in(e.path());
        std::stringstream text;
        text << in.rdbuf();
        EXPECT_NE(text.str().find("does not exist"), std::string::npos) << text.str();
        EXPECT_NE(text.str().find("event_id=r-"), std::string::npos) << text.str();
        rejected_files.push_back(e.path().filename());
    }
    EXPECT_EQ(rejected_files.size(), static_cast<size_t>(refused));
    EXPECT_TRUE(sink.contains("moved to rejected/")) << sink.dump();
    expect_per_thread_order(ids_in_order(*c, "activity"));
    expect_per_thread_order(ids_in_order(*c, "agent_log"));
}

// A crash after the commit but before the position was recorded: the whole
// spool is shipped again, and nothing doubles.
TEST(LogSpool, ReplayAfterALostPositionDoublesNothing) {
    ScratchDatabase scratch;
    auto c = scratch.connect();
    seed(*c);
    const fs::path dir = work_dir("replay");
    const fs::path spool = dir / "spool", copy = dir / "copy";
    LogSink sink;
    {
        LogWriter writer(scratch.params(), options(spool, sink));
        for (int i = 0; i < 300; ++i)
            ASSERT_TRUE(writer.submit(activity("p-" + std::to_string(i))));
        fs::copy(spool, copy, fs::copy_options::recursive);  // the state before shipping
        writer.start();
        writer.stop(30s);
        EXPECT_EQ(count(*c, "SELECT COUNT(*) AS n FROM activity"), 300);
    }
    fs::remove_all(spool);
    fs::rename(copy, spool);
    LogWriter again(scratch.params(), options(spool, sink));
    EXPECT_EQ(again.stats().spooled, 300u);
    again.start();
    ASSERT_TRUE(eventually([&] { return again.stats().spooled == 0; })) << sink.dump();
    again.stop();
    EXPECT_EQ(again.stats().written, 300u);  // shipped again, ignored by event_id
    EXPECT_EQ(count(*c, "SELECT COUNT(*) AS n FROM activity"), 300);
    EXPECT_EQ(count(*c, "SELECT COUNT(DISTINCT event_id) AS n FROM activity"), 300);
}

// Runs log_spool_child, SIGKILLs it after `kill_after` acknowledgements and
// returns the ids it acknowledged.
std::set<std::string> run_and_kill_child(const std::string& socket, const std::string& database,
                                         const fs::path& spool, const std::string& prefix,
                                         int count, int kill_after) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args = {
        LOG_SPOOL_CHILD, socket, database, spool.string(), prefix, std::to_string(count), "4"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, LOG_SPOOL_CHILD, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);

    std::set<std::string> acked;
    std::string pending;
    char buf[4096];
    bool killed = false;
    const auto until = std::chrono::steady_clock::now() + 120s;
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        pending.append(buf, static_cast<size_t>(n));
        for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
            acked.insert(pending.substr(0, nl));
            pending.erase(0, nl + 1);
        }
        if (!killed && (static_cast<int>(acked.size()) >= kill_after ||
                        std::chrono::steady_clock::now() > until)) {
            ::kill(pid, SIGKILL);
            killed = true;
        }
    }
    if (!killed) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_TRUE(pending.empty()) << "torn line from the child";
    return acked;
}

// The writer process dies by SIGKILL mid-stream (with MySQL up, so kills land
// between commit and position too; and with MySQL unreachable, so everything
// is in the spool, likely with a torn tail): a fresh LogWriter on the same
// spool delivers every acknowledged event exactly once.
TEST(LogSpool, AFreshWriterFinishesTheJobOfAKilledOne) {
    ScratchDatabase scratch;
    auto c = scratch.connect();
    seed(*c);
    const fs::path dir = work_dir("crash");
    const fs::path spool = dir / "spool";
    constexpr int kCount = 3000;
    const auto up =
        run_and_kill_child(testing::test_mysql_socket(), scratch.name(), spool, "up", kCount, 1200);
    const auto down = run_and_kill_child((dir / "no-such.sock").string(), scratch.name(), spool,
                                         "down", kCount, 1500);
    ASSERT_GE(up.size(), 1200u);
    ASSERT_GE(down.size(), 1500u);
    ASSERT_LT(down.size(), static_cast<size_t>(kCount)) << "kill landed after the stream ended";

    LogSink sink;
    LogWriter writer(scratch.params(), options(spool, sink));
    writer.start();
    ASSERT_TRUE(eventually([&] { return writer.stats().spooled == 0; })) << sink.dump();
    writer.stop();

    std::set<std::string> rows;
    for (const auto& id : ids_in_order(*c, "activity")) {
        EXPECT_TRUE(rows.insert(id).second) << "twice: " << id;
        const auto dash = id.rfind('-');
        const std::string prefix = id.substr(0, dash);
        EXPECT_TRUE(prefix == "up" || prefix == "down") << id;
        EXPECT_LT(std::stol(id.substr(dash + 1)), kCount) << id;
    }
    for (const auto& id : up) EXPECT_TRUE(rows.count(id)) << "acknowledged but missing: " << id;
    for (const auto& id : down) EXPECT_TRUE(rows.count(id)) << "acknowledged but missing: " << id;
    // At most one unacknowledged in-flight event per child thread may also land.
    EXPECT_LE(rows.size(), up.size() + down.size() + 8);
    EXPECT_EQ(writer.stats().rejected, 0u);
    std::cout << "acknowledged " << up.size() << " + " << down.size() << ", rows " << rows.size()
              << "; recovery log:\n"
              << sink.dump();
}

}  // namespace
}  // namespace boxwarden::policyd
