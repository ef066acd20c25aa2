#include "log_throttle.h"

namespace boxwarden::policyd {

namespace {
// Kinds come from a small fixed set; the cap only guards against a caller bug.
constexpr std::size_t kMaxKinds = 64;
}  // namespace

void LogThrottle::roll(TimePoint now) {
    if (!started_) {
        started_ = true;
        start_ = now;
        return;
    }
    if (now - start_ < window_) return;
    for (const auto& [kind, c] : counts_) {
        if (c.suppressed == 0) continue;
        if (!pending_.empty()) pending_ += ", ";
        pending_ += std::to_string(c.suppressed) + " " + kind;
    }
    counts_.clear();
    start_ = now;
}

bool LogThrottle::admit(std::string_view kind, TimePoint now) {
    roll(now);
    auto it = counts_.find(kind);
    if (it == counts_.end()) {
        if (counts_.size() >= kMaxKinds) kind = "other";
        it = counts_.try_emplace(std::string(kind)).first;
    }
    if (it->second.admitted < limit_) {
        ++it->second.admitted;
        return true;
    }
    ++it->second.suppressed;
    return false;
}

std::optional<std::string> LogThrottle::take_summary(TimePoint now) {
    roll(now);
    if (pending_.empty()) return std::nullopt;
    std::string out;
    out.swap(pending_);
    return out;
}

}  // namespace boxwarden::policyd
