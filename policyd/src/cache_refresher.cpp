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

void CacheRefresher::log_endpoint() {
    if (params_.hosts.size() < 2) return;
    const std::size_t i = conn_->endpoint_index();
    if (i == logged_endpoint_) return;
    logged_endpoint_ = i;
    log_info("cache reads from database host " + conn_->endpoint() +
             (i == 0 ? " (preferred)"
                     : " (failed over from " + params_.hosts[0].host + ":" +
                           std::to_string(params_.hosts[0].port) + ")"));
}

void CacheRefresher::sync_once() {
    const auto now = std::chrono::steady_clock::now();
    const bool periodic = last_full_ != std::chrono::steady_clock::time_point{} &&
                          now - last_full_ >= std::chrono::milliseconds(full_interval_ms_.load());
    const bool full = full_requested_.exchange(false) || periodic;
    try {
        if (!conn_) {
            conn_ = std::make_unique<db::Connection>(params_);
            last_fail_back_ = now;
            log_endpoint();
        } else if (conn_->endpoint_index() > 0 && now - last_fail_back_ >= kFailBackEvery) {
            // Back to the preferred host once it is ready again.
            last_fail_back_ = now;
            if (conn_->fail_back()) log_endpoint();
        }
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
        // Whatever failed, the next attempt connects afresh: with db_hosts
        // that walks the host list, so a node that died, hangs (read
        // timeout) or left the primary component is replaced by the next.
        conn_.reset();
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
