#pragma once
// The thread that keeps the MailboxCache in sync: polls every
// refresh_interval with its own database connection, logs when the database
// goes away and comes back, and does a full reload on request (SIGHUP).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "boxwarden/db.h"
#include "mailbox_cache.h"

namespace boxwarden::policyd {

class CacheRefresher {
  public:
    CacheRefresher(MailboxCache& cache, db::ConnectionParams params,
                   std::chrono::milliseconds interval, Seconds cutoff);
    ~CacheRefresher();

    void start();
    void stop();
    void set_interval(std::chrono::milliseconds interval) { interval_ms_ = interval.count(); }
    void set_cutoff(Seconds cutoff) { cutoff_s_ = cutoff.count(); }
    // Next sync reloads everything, and happens now.
    void request_full_reload();
    std::uint64_t sync_failures() const { return failures_.load(); }

  private:
    void run();
    void sync_once();

    MailboxCache& cache_;
    db::ConnectionParams params_;
    std::atomic<std::int64_t> interval_ms_;
    std::atomic<std::int64_t> cutoff_s_;
    std::atomic<bool> full_requested_{false};
    std::atomic<std::uint64_t> failures_{0};
    std::unique_ptr<db::Connection> conn_;
    bool database_down_ = false;
    bool stale_logged_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace boxwarden::policyd
