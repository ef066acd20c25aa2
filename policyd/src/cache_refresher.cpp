#include "cache_refresher.h"

#include "logger.h"

namespace boxwarden::policyd {

CacheRefresher::CacheRefresher(MailboxCache& cache, db::ConnectionParams params,
                               std::chrono::milliseconds interval, Seconds cutoff,
                               std::chrono::milliseconds full_reload_interval)
    : cache_(cache),
      params_(std::move(params)),
      interval_ms_(interval.count()),
      cutoff_s_(cutoff.count()),
      full_interval_ms_(full_reload_interval.count()) {}

CacheRefresher::~CacheRefresher() {
    stop();
}

void CacheRefresher::start() {
    thread_ = std::thread([this] { run(); });
}

void CacheRefresher::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CacheRefresher::request_full_reload() {
    full_requested_ = true;
    cv_.notify_all();
}

void CacheRefresher::run() {
    db::ThreadScope scope;
    std::unique_lock lock(mu_);
    while (!stopping_) {
        lock.unlock();
        sync_once();
        lock.lock();
        cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_.load()),
                     [&] { return stopping_ || full_requested_.load(); });
    }
    lock.unlock();
    conn_.reset();
}

void CacheRefresher::sync_once() {
    const auto now = std::chrono::steady_clock::now();
    const bool periodic = last_full_ != std::chrono::steady_clock::time_point{} &&
                          now - last_full_ >= std::chrono::milliseconds(full_interval_ms_.load());
    const bool full = full_requested_.exchange(false) || periodic;
    try {
        if (!conn_) conn_ = std::make_unique<db::Connection>(params_);
        const SyncResult r = cache_.sync(*conn_, full);
        if (r.kind == SyncResult::Kind::Full) last_full_ = now;
        if (database_down_ || r.kind == SyncResult::Kind::Full) {
            const CacheCounts c = cache_.counts();
            log_info(std::string(database_down_ ? "database reachable again; " : "") +
                     (r.kind == SyncResult::Kind::Full ? "full cache load" : "cache synced") +
                     " at version " + std::to_string(r.version) + ": " + std::to_string(c.domains) +
                     " domains, " + std::to_string(c.mailboxes) + " mailboxes, " +
                     std::to_string(c.users) + " users, " + std::to_string(c.assignments) +
                     " assignments");
        }
        database_down_ = false;
        stale_logged_ = false;
    } catch (const std::exception& e) {
        ++failures_;
        if (full) full_requested_ = true;  // still owed
        if (conn_ && conn_->broken()) conn_.reset();
        if (dynamic_cast<const db::TemporaryFailure*>(&e) == nullptr) conn_.reset();
        const Freshness f = cache_.freshness(Seconds(cutoff_s_.load()));
        if (!database_down_) {
            log_error("cache sync failed: ", Untrusted{e.what()},
                      f.synced ? "; serving from cache until it is " +
                                     std::to_string(f.cutoff.count()) + "s old"
                               : "; nothing loaded yet: every answer is a temporary failure");
            database_down_ = true;
        }
        if (f.synced && f.stale() && !stale_logged_) {
            log_error("cache is older than the cutoff (" + std::to_string(f.cutoff.count()) +
                      "s): database-dependent answers are temporary failures until the next sync");
            stale_logged_ = true;
        }
    }
}

}  // namespace boxwarden::policyd
