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
    // One reply per request the job answers (several: pipelined log writes).
    using Job = std::function<std::vector<AttrList>()>;
    struct Done {
        std::uint64_t connection_id;
        std::vector<AttrList> replies;
    };

    explicit WorkerPool(std::size_t threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Readable (eventfd) when results are waiting.
    int notify_fd() const { return event_fd_; }
    // `requests`: how many replies the job gives (all tempfail if it throws).
    void submit(std::uint64_t connection_id, Job job, std::size_t requests = 1);
    // Takes every finished result (and resets the eventfd).
    std::vector<Done> take_done();
    // Finishes the queued jobs, then joins the threads.
    void stop();

  private:
    void run();

    int event_fd_ = -1;
    std::mutex mu_;
    std::condition_variable cv_;
    struct Queued {
        std::uint64_t connection_id;
        Job job;
        std::size_t requests;
    };
    std::deque<Queued> queue_;
    std::vector<Done> done_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace boxwarden::policyd
