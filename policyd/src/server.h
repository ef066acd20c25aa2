#pragma once
// The event loop: one thread, epoll, non-blocking sockets. Serves the Postfix
// policy protocol (Raw values) and the internal protocol (Escaped values) on
// any number of listeners; many requests per connection, pipelined, in
// order. Requests that block (log writes, out-of-office claims) run on the
// worker pool while that connection waits; everything else is answered
// inline. Framing errors and malformed policy requests close the connection
// (one log line); idle connections are closed after idle_timeout.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "boxwarden/attr_codec.h"
#include "query_handler.h"
#include "runtime_settings.h"
#include "server_stats.h"
#include "worker_pool.h"

namespace boxwarden::policyd {

enum class Protocol { Policy, Query };

struct Listener {
    int fd = -1;
    Protocol protocol = Protocol::Policy;
    std::string name;  // for logs, e.g. "unix:/run/boxwarden/policy.sock"
};

// The answer to one policy request: a reply, or "close the connection"
// with a log line (malformed request).
struct PolicyAnswer {
    AttrList reply;
    bool close = false;
    std::string log;
};
// The request's views point into the connection's read buffer: valid for the call only.
using PolicyFn = std::function<PolicyAnswer(const AttrRequestView&)>;

class Server {
  public:
    Server(std::vector<Listener> listeners, PolicyFn policy, const QueryHandler& query,
           const RuntimeSettingsHolder& settings, ServerStats& stats, std::size_t workers);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Serves until SIGTERM or SIGINT arrives on signal_fd (a signalfd); then
    // stops accepting, finishes the requests in flight (bounded by
    // drain_timeout) and returns. SIGHUP calls on_reload.
    void run(int signal_fd, const std::function<void()>& on_reload,
             std::chrono::milliseconds drain_timeout = std::chrono::seconds(10));

  private:
    struct Connection;

    void accept_all(std::size_t listener_index);
    void on_event(Connection& c, std::uint32_t events);
    void process(Connection& c);
    void flush(Connection& c);
    void update_events(Connection& c);
    void close_connection(std::uint64_t id);
    void finish_jobs();
    void close_idle();
    void begin_drain();
    void pause_listeners();
    void log_protocol_error(const std::string& line);
    void resume_listeners();

    std::vector<Listener> listeners_;
    PolicyFn policy_;
    const QueryHandler& query_;
    const RuntimeSettingsHolder& settings_;
    ServerStats& stats_;
    WorkerPool workers_;
    int epoll_fd_ = -1;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    bool draining_ = false;
    bool listeners_paused_ = false;
    std::chrono::steady_clock::time_point last_refusal_log_{};
    std::chrono::steady_clock::time_point error_window_start_{};
    std::uint64_t errors_in_window_ = 0;
    std::uint64_t errors_suppressed_ = 0;
};

}  // namespace boxwarden::policyd
