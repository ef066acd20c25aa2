#pragma once
// The event loop: one thread, epoll, non-blocking sockets. Serves the Postfix
// policy protocol (Raw values) and the internal protocol (Escaped values) on
// any number of listeners; many requests per connection, pipelined, in
// order. Requests that block (log writes, out-of-office claims) run on the
// worker pool while that connection waits; everything else is answered
// inline; requests that need only the local spool have workers of their own,
// so a hung database never delays them, and a connection's pipelined log
// writes already received run as one job (one spool fdatasync for all). Framing errors and malformed policy
// requests close the connection (one log line); idle connections are closed
// after idle_timeout, a request still incomplete request_timeout after its
// first byte closes its connection. Unix peers are checked against the
// listener's allow-list (SO_PEERCRED); one peer (uid, or address on inet)
// holds at most max_connections_per_uid connections; at max_connections the
// listeners are no longer polled, so new clients wait in the backlog.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "boxwarden/attr_codec.h"
#include "log_throttle.h"
#include "policy_answer.h"
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
    bool unix_socket = true;
};

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
    // Called about twice a second on the event loop (log summaries).
    void set_tick(std::function<void()> tick) { tick_ = std::move(tick); }

  private:
    struct Connection;

    void accept_some(std::size_t listener_index);
    bool admit_peer(int fd, const Listener& l, std::uint64_t& peer_key, bool& limited);
    void log_refusal(std::string_view kind, const std::string& line);
    void finish_jobs(WorkerPool& pool);
    void close_expired();
    void update_listeners();
    void on_event(Connection& c, std::uint32_t events);
    void process(Connection& c);
    void flush(Connection& c);
    void update_events(Connection& c);
    void close_connection(std::uint64_t id);
    void begin_drain();
    void log_protocol_error(const std::string& line);

    std::vector<Listener> listeners_;
    PolicyFn policy_;
    const QueryHandler& query_;
    const RuntimeSettingsHolder& settings_;
    ServerStats& stats_;
    WorkerPool workers_;        // requests that need the database
    WorkerPool spool_workers_;  // requests that need only the local spool
    std::function<void()> tick_;
    int epoll_fd_ = -1;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::unordered_map<std::uint64_t, std::size_t> per_peer_;  // open connections per peer
    bool draining_ = false;
    bool listening_ = true;
    bool at_limit_logged_ = false;
    std::chrono::steady_clock::time_point accept_paused_until_{};
    LogThrottle refusal_log_{5, std::chrono::seconds(10)};
    std::chrono::steady_clock::time_point error_window_start_{};
    std::uint64_t errors_in_window_ = 0;
    std::uint64_t errors_suppressed_ = 0;
};

}  // namespace boxwarden::policyd
