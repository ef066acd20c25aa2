#pragma once
// Durable, batched activity / agent-log writes (DESIGN.md §2 "Log writes are
// batched; while MySQL is down they go to a durable local spool and are
// replayed later, in order, exactly once").
//
// Contract (the policyd request handlers rely on it):
// - submit() returns only once the event is durable: fsync'd to the spool
//   under spool_dir (or committed to MySQL). A caller that got `true` may
//   answer "ok" to its client; the event will reach MySQL exactly once
//   (idempotent on event_id through record_activity / record_agent_action).
// - Events reach MySQL in submission order, in batches (one transaction per
//   batch), from a background thread; while MySQL is unreachable they stay
//   in the spool and are replayed when it returns, also after a restart.
// - An event MySQL refuses by a rule (SQLSTATE 45000, e.g. unknown mailbox)
//   is logged and moved aside (spool_dir/rejected), never retried forever and
//   never blocking later events.
// - stop() flushes what it can within the timeout and joins the thread;
//   what is left stays in the spool for the next start.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "boxwarden/clock.h"
#include "boxwarden/db.h"
#include "log_event.h"

namespace boxwarden::policyd {

struct LogWriterOptions {
    std::filesystem::path spool_dir;
    size_t max_batch = 500;                              // events per transaction
    std::chrono::milliseconds max_batch_delay{50};       // wait to fill a batch
    std::chrono::milliseconds retry_interval{1000};      // while MySQL is down
    std::function<void(const std::string&)> log;         // operational messages
    std::uint64_t segment_max_bytes = 16 * 1024 * 1024;  // spool segment rotation size
};

struct LogWriterStats {
    std::uint64_t submitted = 0;
    std::uint64_t written = 0;   // committed to MySQL (including duplicates ignored)
    std::uint64_t rejected = 0;  // refused by a rule, moved aside
    std::uint64_t spooled = 0;   // events currently waiting in the spool
    bool database_ok = true;
    std::uint64_t conflict_retries = 0;  // batches run again after a 1213/1205
};

class LogWriter {
  public:
    // Opens, locks and recovers the spool (docs/log-spool.md); throws
    // std::runtime_error when spool_dir cannot be used (or another process
    // holds it). Call db::initialize_driver() before starting threads.
    LogWriter(db::ConnectionParams params, LogWriterOptions options);
    ~LogWriter();
    LogWriter(const LogWriter&) = delete;
    LogWriter& operator=(const LogWriter&) = delete;

    // Starts the background shipper (replays anything already spooled first).
    void start();
    // Durable on return (see contract). Returns false only when the event
    // cannot be made durable (spool unwritable): the caller answers tempfail.
    bool submit(const LogEvent& event);
    // Several events made durable together (one fdatasync): one result per
    // event; an event too large to spool fails alone.
    std::vector<bool> submit_all(const std::vector<LogEvent>& events);
    LogWriterStats stats() const;
    void stop(std::chrono::milliseconds flush_timeout = std::chrono::seconds(5));

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace boxwarden::policyd
