#pragma once
// The thread that keeps the MailboxCache in sync: polls every
// refresh_interval with its own database connection, logs when the database
// goes away and comes back, and does a full reload on request (SIGHUP) and
// every full_reload_interval, which catches edits that bypass change_log
// (TRUNCATE, triggers disabled) within that interval. With several database
// hosts (db_hosts) every failed sync reconnects, trying the hosts in order,
// and a connection on a later host returns to the preferred one when ready.
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
                   std::chrono::milliseconds interval, Seconds cutoff,
                   std::chrono::milliseconds full_reload_interval);
    ~CacheRefresher();

    void start();
    void stop();
    void set_interval(std::chrono::milliseconds interval) { interval_ms_ = interval.count(); }
    void set_cutoff(Seconds cutoff) { cutoff_s_ = cutoff.count(); }
    void set_full_reload_interval(std::chrono::milliseconds i) { full_interval_ms_ = i.count(); }
    // Next sync reloads everything, and happens now.
    void request_full_reload();
    std::uint64_t sync_failures() const { return failures_.load(); }

  private:
    // With db_hosts: how often a connection on a later host tries the
    // preferred one again.
    static constexpr std::chrono::seconds kFailBackEvery{30};

    void run();
    void sync_once();
    void log_endpoint();

    MailboxCache& cache_;
    db::ConnectionParams params_;
    std::atomic<std::int64_t> interval_ms_;
    std::atomic<std::int64_t> cutoff_s_;
    std::atomic<std::int64_t> full_interval_ms_;
    std::chrono::steady_clock::time_point last_full_{};  // refresher thread only
    std::atomic<bool> full_requested_{false};
    std::atomic<std::uint64_t> failures_{0};
    std::unique_ptr<db::Connection> conn_;
    std::chrono::steady_clock::time_point last_fail_back_{};
    std::size_t logged_endpoint_ = 0;  // refresher thread only
    bool database_down_ = false;
    bool stale_logged_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace boxwarden::policyd
