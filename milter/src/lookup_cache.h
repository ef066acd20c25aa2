#pragma once
// A short-lived, process-wide cache of policyd's answers to the submission
// look-up (request=mailbox for the envelope sender + request=user for the
// login), shared by every libmilter connection (docs/milter.md "Look-up
// cache"). Only ok and notfound answers are kept, each at most `ttl`; a
// tempfail or error is never reused, and record_activity is never cached.
// Bounded: at most max_entries answers.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "policyd_queries.h"

namespace boxwarden::milter {

class LookupCache {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kDefaultMaxEntries = 1024;

    explicit LookupCache(std::chrono::milliseconds ttl,
                         std::size_t max_entries = kDefaultMaxEntries)
        : ttl_(ttl), max_entries_(max_entries) {}

    bool enabled() const { return ttl_.count() > 0; }
    // The stored answer while it is younger than ttl.
    std::optional<SubmissionLookup> find(const std::string& sender, const std::string& login,
                                         Clock::time_point now);
    // Keeps facts when both answers are ok or notfound (and the cache is on).
    void store(const std::string& sender, const std::string& login, const SubmissionLookup& facts,
               Clock::time_point now);
    std::size_t size() const;

    static bool cacheable(const SubmissionLookup& facts);

  private:
    struct Entry {
        SubmissionLookup facts;
        Clock::time_point expires;
    };
    static std::string key(const std::string& sender, const std::string& login);

    std::chrono::milliseconds ttl_;
    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace boxwarden::milter
