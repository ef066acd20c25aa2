#include "caching_queries.h"

#include <optional>

namespace boxwarden::milter {

namespace {

// Times one request when there are metrics to time it into.
class MaybeTimer {
  public:
    explicit MaybeTimer(LatencyHistogram* h) {
        if (h) timer_.emplace(*h);
    }

  private:
    std::optional<LatencyTimer> timer_;
};

}  // namespace

SubmissionLookup CachingQueries::lookup(const std::string& envelope_sender,
                                        const std::string& sasl_login) {
    if (cache_ && cache_->enabled()) {
        if (auto hit = cache_->find(envelope_sender, sasl_login, now_())) {
            if (metrics_) ++metrics_->cache_hits;
            return std::move(*hit);
        }
        if (metrics_) ++metrics_->cache_misses;
    }
    SubmissionLookup facts;
    {
        MaybeTimer t(metrics_ ? &metrics_->lookup : nullptr);
        facts = inner_->lookup(envelope_sender, sasl_login);
    }
    if (cache_) cache_->store(envelope_sender, sasl_login, facts, now_());
    return facts;
}

client::Result<client::MailboxReply> CachingQueries::mailbox(const std::string& address) {
    MaybeTimer t(metrics_ ? &metrics_->mailbox : nullptr);
    return inner_->mailbox(address);
}

client::Result<client::RecordedReply> CachingQueries::record_activity(
    const client::RecordActivity& activity) {
    MaybeTimer t(metrics_ ? &metrics_->record_activity : nullptr);
    return inner_->record_activity(activity);
}

}  // namespace boxwarden::milter
