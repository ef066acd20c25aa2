#pragma once
// PolicydQueries around another: the submission look-up goes through the
// shared LookupCache, and every request that reaches policyd is timed into
// MilterMetrics. Either pointer may be null (no cache, no metrics).
#include <functional>
#include <memory>

#include "lookup_cache.h"
#include "milter_metrics.h"
#include "policyd_queries.h"

namespace boxwarden::milter {

class CachingQueries final : public PolicydQueries {
  public:
    using Now = std::function<LookupCache::Clock::time_point()>;

    CachingQueries(std::unique_ptr<PolicydQueries> inner, LookupCache* cache,
                   MilterMetrics* metrics, Now now = LookupCache::Clock::now)
        : inner_(std::move(inner)), cache_(cache), metrics_(metrics), now_(std::move(now)) {}

    SubmissionLookup lookup(const std::string& envelope_sender,
                            const std::string& sasl_login) override;
    client::Result<client::MailboxReply> mailbox(const std::string& address) override;
    client::Result<client::RecordedReply> record_activity(
        const client::RecordActivity& activity) override;

  private:
    std::unique_ptr<PolicydQueries> inner_;
    LookupCache* cache_;
    MilterMetrics* metrics_;
    Now now_;
};

}  // namespace boxwarden::milter
