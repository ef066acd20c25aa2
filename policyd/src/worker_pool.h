#pragma once
// Threads for requests that block on disk or the database (log writes,
// out-of-office claims), so the event loop never waits on them. Each worker
// holds a db::ThreadScope. Results come back through a queue and an eventfd
// the event loop watches.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "boxwarden/attr_codec.h"

namespace boxwarden::policyd {

class WorkerPool {
  public:
    using Job = std::function<AttrList()>;
    struct Done {
        std::uint64_t connection_id;
        AttrList reply;
    };

    explicit WorkerPool(std::size_t threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Readable (eventfd) when results are waiting.
    int notify_fd() const { return event_fd_; }
    void submit(std::uint64_t connection_id, Job job);
    // Takes every finished result (and resets the eventfd).
    std::vector<Done> take_done();
    // Finishes the queued jobs, then joins the threads.
    void stop();

  private:
    void run();

    int event_fd_ = -1;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::pair<std::uint64_t, Job>> queue_;
    std::vector<Done> done_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace boxwarden::policyd
