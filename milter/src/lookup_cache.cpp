#include "lookup_cache.h"

namespace boxwarden::milter {

namespace {

bool settled(client::ResultKind k) {
    return k == client::ResultKind::Ok || k == client::ResultKind::NotFound;
}

}  // namespace

bool LookupCache::cacheable(const SubmissionLookup& facts) {
    return settled(facts.sender.kind) && settled(facts.user.kind);
}

std::string LookupCache::key(const std::string& sender, const std::string& login) {
    std::string k;
    k.reserve(sender.size() + 1 + login.size());
    k += sender;
    k += '\n';  // never part of an address or a login that reached us
    k += login;
    return k;
}

std::optional<SubmissionLookup> LookupCache::find(const std::string& sender,
                                                  const std::string& login, Clock::time_point now) {
    if (!enabled()) return std::nullopt;
    const std::string k = key(sender, login);
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(k);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.expires) {
        entries_.erase(it);
        return std::nullopt;
    }
    return it->second.facts;
}

void LookupCache::store(const std::string& sender, const std::string& login,
                        const SubmissionLookup& facts, Clock::time_point now) {
    if (!enabled() || !cacheable(facts)) return;
    std::string k = key(sender, login);
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_ && entries_.find(k) == entries_.end()) {
        std::erase_if(entries_, [&](const auto& e) { return now >= e.second.expires; });
        // Still full of live answers (many senders within one ttl): start over.
        if (entries_.size() >= max_entries_) entries_.clear();
    }
    entries_.insert_or_assign(std::move(k), Entry{facts, now + ttl_});
}

std::size_t LookupCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace boxwarden::milter
