#pragma once
// Idle policyd connections kept between libmilter connections: Postfix
// opens one milter connection per SMTP session, and without the pool each
// would connect to policyd afresh (docs/milter.md "Look-up cache and
// connection reuse"). Thread-safe; at most max_idle are kept.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "policyd_queries.h"

namespace boxwarden::milter {

class QueriesPool {
  public:
    using Make = std::function<std::unique_ptr<PolicydQueries>()>;
    explicit QueriesPool(Make make, std::size_t max_idle = 64)
        : make_(std::move(make)), max_idle_(max_idle) {}

    // An idle one, or a new one.
    std::unique_ptr<PolicydQueries> take();
    // Kept for the next take(), or dropped when max_idle are idle.
    void give_back(std::unique_ptr<PolicydQueries> q);
    std::size_t idle() const;

  private:
    Make make_;
    std::size_t max_idle_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<PolicydQueries>> idle_;
};

}  // namespace boxwarden::milter
