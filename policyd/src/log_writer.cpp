#include "log_writer.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "boxwarden/log_sanitize.h"
#include "boxwarden/retry.h"
#include "spool.h"
#include "spool_codec.h"

namespace boxwarden::policyd {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kRecordActivity = "CALL record_activity(?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kRecordAgentAction = "CALL record_agent_action(?, ?, ?, ?, ?, ?)";
constexpr std::string_view kRecordAgentMove = "CALL record_agent_move(?, ?, ?, ?, ?, ?)";
// A connection idle this long may have passed the server's wait_timeout;
// ping (which reconnects once) before opening a transaction on it.
constexpr auto kPingAfterIdle = std::chrono::seconds(30);
// With db_hosts: how often a connection on a later host tries the first again.
constexpr auto kFailBackEvery = std::chrono::seconds(30);

// Values in rejected/ files: control bytes and '%' as %XX, one line each.
std::string escape(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '%') {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xF]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string describe(const LogEvent& event) {
    std::string out;
    auto line = [&](std::string_view name, std::string_view value) {
        out.append(name).append("=").append(escape(value)).append("\n");
    };
    if (const auto* a = std::get_if<ActivityEvent>(&event)) {
        line("kind", "activity");
        line("event_id", a->event_id);
        line("mailbox_address", a->mailbox_address);
        line("direction", a->direction);
        line("occurred_at", db::format_sql_datetime(a->occurred_at));
        line("message_id", a->message_id);
        line("sender", a->sender);
        line("recipients", a->recipients);
        line("subject", a->subject);
        line("in_to_header", a->in_to_header ? "1" : "0");
    } else {
        const auto& g = std::get<AgentActionEvent>(event);
        line("kind", "agent_action");
        line("event_id", g.event_id);
        line("mailbox_address", g.mailbox_address);
        line("login", g.login);
        line("action", g.action);
        line("occurred_at", db::format_sql_datetime(g.occurred_at));
        line("message_id", g.message_id);
        line("folder", g.folder);
    }
    return out;
}

void write_event(db::Connection& conn, const LogEvent& event) {
    if (const auto* a = std::get_if<ActivityEvent>(&event)) {
        conn.execute(kRecordActivity,
                     {a->event_id, a->mailbox_address, a->direction,
                      db::format_sql_datetime(a->occurred_at), a->message_id, a->sender,
                      a->recipients, a->subject, std::int64_t{a->in_to_header ? 1 : 0}});
    } else {
        const auto& g = std::get<AgentActionEvent>(event);
        if (g.folder.empty())
            conn.execute(kRecordAgentAction,
                         {g.event_id, g.mailbox_address, g.login, g.action,
                          db::format_sql_datetime(g.occurred_at), g.message_id});
        else
            conn.execute(kRecordAgentMove,
                         {g.event_id, g.mailbox_address, g.login,
                          db::format_sql_datetime(g.occurred_at), g.message_id, g.folder});
    }
}

struct Rejection {
    size_t index;
    std::string reason;
};

}  // namespace

struct LogWriter::Impl {
    db::ConnectionParams params;
    LogWriterOptions options;
    std::unique_ptr<spool::Spool> spool;

    mutable std::mutex mu;
    std::condition_variable cv;
    bool running = false;
    bool stopping = false;
    SteadyClock::time_point flush_deadline;
    std::thread thread;

    std::atomic<std::uint64_t> submitted{0};
    std::atomic<std::uint64_t> written{0};
    std::atomic<std::uint64_t> rejected{0};
    std::atomic<bool> database_ok{true};

    // Shipper-thread state.
    std::unique_ptr<db::Connection> conn;
    SteadyClock::time_point conn_used;
    SteadyClock::time_point fail_back_tried;
    std::atomic<std::uint64_t> conflict_retries{0};
    std::string last_failure;

    void log(const std::string& message) const {
        if (options.log) options.log(message);
    }

    void wake() {
        std::lock_guard lock(mu);
        cv.notify_all();
    }

    // True when the shipper should give up for now (stop past its deadline).
    bool out_of_time() const { return stopping && SteadyClock::now() >= flush_deadline; }

    // Sleeps `d`, or less when stop() is called; false when stop's deadline passed.
    bool pause(std::chrono::milliseconds d) {
        std::unique_lock lock(mu);
        const auto until = SteadyClock::now() + d;
        cv.wait_until(lock, stopping ? std::min(until, flush_deadline) : until,
                      [&] { return out_of_time(); });
        return !out_of_time();
    }

    void run();
    bool ship(const std::vector<spool::SpoolRecord>& records, spool::Position end);
    bool transaction(const std::vector<std::optional<LogEvent>>& events,
                     std::vector<Rejection>& rejections);
};

LogWriter::LogWriter(db::ConnectionParams params, LogWriterOptions options)
    : impl_(std::make_unique<Impl>()) {
    db::initialize_driver();
    impl_->params = std::move(params);
    impl_->options = std::move(options);
    if (impl_->options.max_batch == 0) impl_->options.max_batch = 1;
    spool::SpoolOptions so;
    so.segment_max_bytes = impl_->options.segment_max_bytes;
    so.log = impl_->options.log;
    Impl* impl = impl_.get();
    so.on_durable = [impl] { impl->wake(); };
    impl_->spool = std::make_unique<spool::Spool>(impl_->options.spool_dir, std::move(so));
}

LogWriter::~LogWriter() {
    stop();
}

void LogWriter::start() {
    std::lock_guard lock(impl_->mu);
    if (impl_->running) return;
    impl_->running = true;
    impl_->stopping = false;
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

bool LogWriter::submit(const LogEvent& event) {
    return submit_all({event}).front();
}

std::vector<bool> LogWriter::submit_all(const std::vector<LogEvent>& events) {
    std::vector<bool> durable(events.size(), false);
    std::vector<std::string> payloads;
    std::vector<std::size_t> index;  // payloads[i] is events[index[i]]
    for (std::size_t i = 0; i < events.size(); ++i) {
        std::string payload = spool::encode_event(events[i]);
        if (payload.size() > spool::kMaxPayloadBytes) {
            impl_->log(compose_log_line(
                "log writer: event ", Untrusted{spool::event_id_of(events[i]), 300},
                " is too large to spool (", std::to_string(payload.size()), " bytes)"));
            continue;
        }
        payloads.push_back(std::move(payload));
        index.push_back(i);
    }
    if (payloads.empty() || !impl_->spool->append_all(payloads)) return durable;  // logged
    impl_->submitted.fetch_add(payloads.size(), std::memory_order_relaxed);
    for (std::size_t i : index) durable[i] = true;
    return durable;
}

LogWriterStats LogWriter::stats() const {
    LogWriterStats s;
    s.submitted = impl_->submitted.load();
    s.written = impl_->written.load();
    s.rejected = impl_->rejected.load();
    s.spooled = impl_->spool->pending();
    s.database_ok = impl_->database_ok.load();
    s.conflict_retries = impl_->conflict_retries.load();
    return s;
}

void LogWriter::stop(std::chrono::milliseconds flush_timeout) {
    {
        std::lock_guard lock(impl_->mu);
        if (!impl_->running) return;
        impl_->stopping = true;
        impl_->flush_deadline = SteadyClock::now() + flush_timeout;
        impl_->cv.notify_all();
    }
    impl_->thread.join();
    std::lock_guard lock(impl_->mu);
    impl_->running = false;
    impl_->stopping = false;
}

void LogWriter::Impl::run() {
    db::ThreadScope scope;
    for (;;) {
        {
            std::unique_lock lock(mu);
            // The timeout only guards against a missed wake-up.
            cv.wait_for(lock, std::chrono::seconds(1),
                        [&] { return stopping || spool->pending() > 0; });
            if (stopping && (spool->pending() == 0 || out_of_time())) break;
            if (spool->pending() == 0) continue;
            // Let a batch fill while events trickle in; stop() ships at once.
            cv.wait_for(lock, options.max_batch_delay,
                        [&] { return stopping || spool->pending() >= options.max_batch; });
        }
        spool::Position end;
        std::vector<spool::SpoolRecord> records;
        try {
            records = spool->read(spool->committed(), options.max_batch, &end);
        } catch (const std::exception& e) {
            log(compose_log_line("log writer: ", Untrusted{e.what(), 300}));
            if (!pause(options.retry_interval)) break;
            continue;
        }
        if (records.empty()) {
            try {
                // Only finished segments were passed: record that, so they go.
                if (end != spool->committed()) {
                    spool->commit(end, 0);
                    continue;
                }
            } catch (const std::exception& e) {
                log(compose_log_line("log writer: ", Untrusted{e.what(), 300}));
            }
            // Counted but unreadable (damage quarantined): do not spin.
            if (!pause(options.retry_interval)) break;
            continue;
        }
        if (!ship(records, end) && out_of_time()) break;
    }
    conn.reset();
}

// Ships one batch and records its end durably; false when it must be retried.
bool LogWriter::Impl::ship(const std::vector<spool::SpoolRecord>& records, spool::Position end) {
    std::vector<std::optional<LogEvent>> events;
    std::vector<Rejection> rejections;
    events.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
        events.push_back(spool::decode_event(records[i].payload));
        if (!events.back()) rejections.push_back({i, "undecodable spool record"});
    }
    const size_t undecodable = rejections.size();
    for (;;) {
        rejections.resize(undecodable);
        if (transaction(events, rejections)) break;
        if (!pause(options.retry_interval)) return false;
    }
    if (!database_ok.exchange(true)) log("log writer: database reachable again, spool draining");
    try {
        for (const Rejection& r : rejections) {
            const spool::SpoolRecord& rec = records[r.index];
            const std::string name =
                std::to_string(rec.at.segment) + "-" + std::to_string(rec.at.offset) + ".rejected";
            std::string content = "reason=" + escape(r.reason) + "\n";
            if (events[r.index]) {
                content += describe(*events[r.index]);
                log(compose_log_line("log writer: event ",
                                     Untrusted{spool::event_id_of(*events[r.index]), 300},
                                     " refused by the database, moved to rejected/", name, ": ",
                                     Untrusted{r.reason, 300}));
            } else {
                content += "raw_payload=" + escape(rec.payload) + "\n";
                log("log writer: undecodable spool record moved to rejected/" + name);
            }
            spool->write_rejected(name, content);
        }
        spool->commit(end, records.size());
    } catch (const std::exception& e) {
        // The rows are committed; replaying them later is harmless (event_id).
        log(compose_log_line("log writer: ", Untrusted{e.what(), 300}));
        pause(options.retry_interval);
        return false;
    }
    written.fetch_add(records.size() - rejections.size(), std::memory_order_relaxed);
    rejected.fetch_add(rejections.size(), std::memory_order_relaxed);
    return true;
}

// One transaction for the whole batch. A rule refusal undoes only its own
// statement (InnoDB statement rollback), so the batch goes on without it.
bool LogWriter::Impl::transaction(const std::vector<std::optional<LogEvent>>& events,
                                  std::vector<Rejection>& rejections) {
    try {
        if (!conn) {
            conn = std::make_unique<db::Connection>(params);
            fail_back_tried = SteadyClock::now();
        } else if (conn->endpoint_index() > 0 &&
                   SteadyClock::now() - fail_back_tried > kFailBackEvery) {
            fail_back_tried = SteadyClock::now();
            if (conn->fail_back()) log("log writer: back on database host " + conn->endpoint());
        } else if (SteadyClock::now() - conn_used > kPingAfterIdle) {
            conn->ping();
        }
        // On Galera (ROW binlog guaranteed) without gap locks: the other
        // host's batches, applied on this node, then abort ours less often.
        if (conn->galera())
            conn->execute_script_statement(
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
        const size_t rejected_before = rejections.size();
        db::RetryHooks retry_hooks;
        retry_hooks.on_retry = [&](const db::Error&, int) {
            conflict_retries.fetch_add(1, std::memory_order_relaxed);
        };
        // A certification conflict (another node wrote the same event_id or
        // the same mailbox's rows) undoes the whole batch: it runs again at
        // once, within the retry helper's bounds; a rule refusal is per event.
        db::run_transaction(
            *conn,
            [&](db::Connection& c) {
                rejections.resize(rejected_before);
                for (size_t i = 0; i < events.size(); ++i) {
                    if (!events[i]) continue;
                    try {
                        write_event(c, *events[i]);
                    } catch (const db::RuleViolation& e) {
                        rejections.push_back({i, e.what()});
                    }
                }
            },
            db::RetryPolicy{}, retry_hooks);
        conn_used = SteadyClock::now();
        last_failure.clear();
        return true;
    } catch (const std::exception& e) {
        // Reconnect next time: with db_hosts that moves to the next host
        // when this one died, hangs or left the primary component.
        conn.reset();
        database_ok = false;
        // Once per distinct failure, not once per retry.
        const std::string what = sanitize_for_log(e.what(), 300);
        if (what != last_failure)
            log("log writer: cannot write to the database, events stay in the spool (" +
                std::to_string(spool->pending()) + " waiting): " + what);
        last_failure = what;
        return false;
    }
}

}  // namespace boxwarden::policyd
