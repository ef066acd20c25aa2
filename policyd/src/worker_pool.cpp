#include "worker_pool.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "boxwarden/db.h"
#include "logger.h"

namespace boxwarden::policyd {

WorkerPool::WorkerPool(std::size_t threads) {
    event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (event_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i)
        threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
    stop();
    if (event_fd_ >= 0) ::close(event_fd_);
}

void WorkerPool::submit(std::uint64_t connection_id, Job job, std::size_t requests) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back(Queued{connection_id, std::move(job), requests});
    }
    cv_.notify_one();
}

std::vector<WorkerPool::Done> WorkerPool::take_done() {
    std::uint64_t counter;
    [[maybe_unused]] ssize_t n = ::read(event_fd_, &counter, sizeof counter);
    std::lock_guard lock(mu_);
    std::vector<Done> out;
    out.swap(done_);
    return out;
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

void WorkerPool::run() {
    db::ThreadScope scope;
    for (;;) {
        Queued item;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            item = std::move(queue_.front());
            queue_.pop_front();
        }
        std::vector<AttrList> replies;
        try {
            replies = item.job();
        } catch (const std::exception& e) {
            log_error("request failed: ", Untrusted{e.what()});
            replies.clear();
        }
        // Exactly one reply per request, or the connection's replies would
        // be out of step.
        if (replies.size() != item.requests)
            replies.assign(item.requests, {{"status", "tempfail"}, {"reason", "internal error"}});
        {
            std::lock_guard lock(mu_);
            done_.push_back(Done{item.connection_id, std::move(replies)});
        }
        const std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);
    }
}

}  // namespace boxwarden::policyd
