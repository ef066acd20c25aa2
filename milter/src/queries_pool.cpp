#include "queries_pool.h"

namespace boxwarden::milter {

std::unique_ptr<PolicydQueries> QueriesPool::take() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto q = std::move(idle_.back());
            idle_.pop_back();
            return q;
        }
    }
    return make_();
}

void QueriesPool::give_back(std::unique_ptr<PolicydQueries> q) {
    if (!q) return;
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(q));
}

std::size_t QueriesPool::idle() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

}  // namespace boxwarden::milter
