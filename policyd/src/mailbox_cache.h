#pragma once
// The in-memory copy of the configuration rows policyd answers from:
// domains, mailboxes, users, current assignments and settings.
//
// sync() brings it up to date inside one consistent-snapshot transaction:
// it reads change_marker and, when the version moved, only the rows named in
// change_log since the version it has seen (a full reload when the log has a
// gap, the marker went backwards, or on request). It records the monotonic
// time at which each successful sync started, so callers know how old the
// facts may be (freshness()). Readers run concurrently with a sync; the
// changes are applied under a short exclusive lock (a full reload is built
// aside and swapped in).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>

#include "boxwarden/clock.h"
#include "boxwarden/db.h"
#include "boxwarden/directory.h"
#include "boxwarden/freshness.h"

namespace boxwarden::policyd {

struct CacheState;

struct SyncResult {
    enum class Kind { Unchanged, Incremental, Full } kind = Kind::Unchanged;
    std::size_t changed_rows = 0;  // change_log entries applied (Incremental)
    std::uint64_t version = 0;
};

class MailboxCache final : public DirectorySource {
  public:
    explicit MailboxCache(const Clock& clock);
    ~MailboxCache();
    MailboxCache(const MailboxCache&) = delete;
    MailboxCache& operator=(const MailboxCache&) = delete;

    // One sync against the database; throws db::Error (TemporaryFailure when
    // the database is unreachable). On failure the cache keeps its rows and
    // its last sync time, so it ages.
    SyncResult sync(db::Connection& conn, bool force_full = false);

    Freshness freshness(Seconds cutoff) const override;
    bool synced() const { return synced_.load(); }
    std::optional<std::chrono::milliseconds> age() const override;
    CacheCounts counts() const override;
    void with_view(const std::function<void(const DirectoryView&)>& fn) const override {
        Reader r(*this);
        fn(r);
    }

    // A consistent read view; holds the shared lock while it lives, so keep
    // it short (one request).
    class Reader final : public DirectoryView {
      public:
        explicit Reader(const MailboxCache& cache);
        bool domain_hosted(std::string_view domain) const override;
        std::optional<MailboxFacts> mailbox(std::string_view address) const override;
        std::optional<MailboxState> mailbox_state(std::string_view address) const override;
        std::optional<UserFacts> user(std::string_view login) const override;
        bool assigned(std::string_view login, std::string_view address) const override;
        Seconds delivery_grace() const override;

      private:
        std::shared_lock<std::shared_mutex> lock_;
        const CacheState* state_;
    };
    Reader read() const { return Reader(*this); }

  private:
    SyncResult full_load(db::Connection& conn, std::uint64_t marker);

    const Clock& clock_;
    mutable std::shared_mutex mu_;
    std::unique_ptr<CacheState> state_;
    // Start of the last successful sync (steady clock, nanoseconds).
    std::atomic<bool> synced_{false};
    std::atomic<std::int64_t> last_sync_ns_{0};
};

}  // namespace boxwarden::policyd
