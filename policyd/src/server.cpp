#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

#include "logger.h"
#include "peer_access.h"

namespace boxwarden::policyd {

namespace {

constexpr std::uint64_t kListenerTag = 1ull << 63;
constexpr std::uint64_t kSignalTag = 1ull << 62;
constexpr std::uint64_t kWorkerTag = (1ull << 62) + 1;
constexpr std::uint64_t kSpoolWorkerTag = (1ull << 62) + 2;
// Connections taken per listener event: accepting never starves the others.
constexpr int kAcceptBatch = 64;
constexpr std::size_t kSpoolWorkers = 2;
// Replies waiting for a slow reader: stop taking its requests beyond this.
constexpr std::size_t kMaxPendingOutput = 256 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;
// Pipelined log writes of one connection made durable together, at most.
constexpr std::size_t kMaxLogGroup = 256;

using SteadyClock = std::chrono::steady_clock;

}  // namespace

struct Server::Connection {
    Connection(std::uint64_t id_, int fd_, Protocol p, std::size_t listener_)
        : id(id_),
          fd(fd_),
          protocol(p),
          listener(listener_),
          parser(p == Protocol::Policy ? AttrEncoding::Raw : AttrEncoding::Escaped) {}
    std::uint64_t id;
    int fd;
    Protocol protocol;
    std::size_t listener;
    AttrRequestParser parser;
    // Read while grouping log writes, but not one: handled next.
    std::optional<AttrRequest> held;
    std::string out;
    std::size_t out_sent = 0;
    SteadyClock::time_point last_active = SteadyClock::now();
    // Set while part of a request has arrived: its first byte's time.
    std::optional<SteadyClock::time_point> request_started;
    std::uint64_t peer_key = 0;  // unix: uid; inet: 1 << 32 | IPv4 address
    bool limited = false;        // counts against max_connections_per_uid
    bool busy = false;           // a request is on the worker pool
    bool peer_closed = false;    // EOF from the peer: answer what came, then close
    bool closing = false;        // close once the output is flushed
    std::uint32_t events = 0;
    std::size_t pending() const { return out.size() - out_sent; }
};

Server::Server(std::vector<Listener> listeners, PolicyFn policy, const QueryHandler& query,
               const RuntimeSettingsHolder& settings, ServerStats& stats, std::size_t workers)
    : listeners_(std::move(listeners)),
      policy_(std::move(policy)),
      query_(query),
      settings_(settings),
      stats_(stats),
      workers_(workers),
      spool_workers_(kSpoolWorkers) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kListenerTag | i;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners_[i].fd, &ev) != 0)
            throw std::system_error(errno, std::generic_category(), "epoll_ctl listener");
    }
    for (auto [pool, tag] :
         {std::pair{&workers_, kWorkerTag}, {&spool_workers_, kSpoolWorkerTag}}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = tag;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, pool->notify_fd(), &ev) != 0)
            throw std::system_error(errno, std::generic_category(), "epoll_ctl eventfd");
    }
}

Server::~Server() {
    workers_.stop();
    spool_workers_.stop();
    for (auto& [id, c] : connections_) ::close(c->fd);
    for (const Listener& l : listeners_)
        if (l.fd >= 0) ::close(l.fd);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void Server::run(int signal_fd, const std::function<void()>& on_reload,
                 std::chrono::milliseconds drain_timeout) {
    epoll_event sev{};
    sev.events = EPOLLIN;
    sev.data.u64 = kSignalTag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd, &sev) != 0)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl signalfd");

    SteadyClock::time_point drain_deadline{};
    auto last_idle_scan = SteadyClock::now();
    std::vector<epoll_event> events(256);
    for (;;) {
        const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 250);
        if (n < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "epoll_wait");
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[i].data.u64;
            if (tag == kSignalTag) {
                signalfd_siginfo si{};
                while (::read(signal_fd, &si, sizeof si) == sizeof si) {
                    if (si.ssi_signo == SIGHUP) {
                        on_reload();
                    } else if (!draining_) {
                        log_info("received signal " + std::to_string(si.ssi_signo) +
                                 ": shutting down");
                        begin_drain();
                        drain_deadline = SteadyClock::now() + drain_timeout;
                    }
                }
            } else if (tag == kWorkerTag) {
                finish_jobs(workers_);
            } else if (tag == kSpoolWorkerTag) {
                finish_jobs(spool_workers_);
            } else if (tag & kListenerTag) {
                if (!draining_) accept_some(static_cast<std::size_t>(tag & ~kListenerTag));
            } else {
                auto it = connections_.find(tag);
                if (it != connections_.end()) on_event(*it->second, events[i].events);
            }
        }
        const auto now = SteadyClock::now();
        if (now - last_idle_scan >= std::chrono::milliseconds(500)) {
            close_expired();
            if (tick_) tick_();
            last_idle_scan = now;
        }
        update_listeners();
        if (draining_ && (connections_.empty() || now >= drain_deadline)) {
            if (!connections_.empty())
                log_warning("shutdown: closing " + std::to_string(connections_.size()) +
                            " connections that did not finish in time");
            break;
        }
    }
    workers_.stop();
    spool_workers_.stop();
    finish_jobs(workers_);
    finish_jobs(spool_workers_);
}

void Server::begin_drain() {
    draining_ = true;
    for (Listener& l : listeners_) {
        if (listening_) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, l.fd, nullptr);
        ::close(l.fd);
        l.fd = -1;
    }
    std::vector<std::uint64_t> ids;
    for (auto& [id, c] : connections_) ids.push_back(id);
    for (std::uint64_t id : ids) {
        auto it = connections_.find(id);
        if (it == connections_.end()) continue;
        Connection& c = *it->second;
        // Requests already received are answered; nothing new is read.
        c.peer_closed = true;
        process(c);
    }
}

void Server::accept_some(std::size_t index) {
    const Listener& l = listeners_[index];
    const auto settings = settings_.get();
    for (int i = 0; i < kAcceptBatch; ++i) {
        // At the limit new clients stay in the listen backlog (update_listeners
        // stops polling) rather than being accepted and dropped.
        if (connections_.size() >= settings->max_connections) return;
        const int fd = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: stop listening for a moment instead of
                // spinning on a listener that stays readable.
                log_error("accept on " + l.name + ": " + std::strerror(errno) +
                          "; pausing new connections");
                accept_paused_until_ = SteadyClock::now() + std::chrono::milliseconds(500);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                log_error("accept on " + l.name + ": " + std::strerror(errno));
            }
            return;
        }
        std::uint64_t peer_key = 0;
        bool limited = false;
        if (!admit_peer(fd, l, peer_key, limited)) {
            ::close(fd);
            ++stats_.connections_refused;
            continue;
        }
        const std::uint64_t id = next_id_++;
        auto c = std::make_unique<Connection>(id, fd, l.protocol, index);
        c->peer_key = peer_key;
        c->limited = limited;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = id;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
            ::close(fd);
            continue;
        }
        c->events = EPOLLIN;
        if (limited) ++per_peer_[peer_key];
        connections_.emplace(id, std::move(c));
        ++stats_.connections_total;
        ++stats_.connections_open;
    }
}

bool Server::admit_peer(int fd, const Listener& l, std::uint64_t& peer_key, bool& limited) {
    const auto settings = settings_.get();
    std::string who;
    if (l.unix_socket) {
        const auto peer = peer_credentials(fd);
        if (!peer) {
            log_refusal("unknown peer", l.name + ": cannot read the peer's credentials (" +
                                            std::strerror(errno) + "); connection closed");
            return false;
        }
        const PeerAllowList& allowed =
            l.protocol == Protocol::Policy ? settings->policy_allowed : settings->query_allowed;
        who = describe_peer(*peer);
        if (!allowed.allows(*peer)) {
            log_refusal("denied", l.name + ": " + who + " is not in " +
                                      (l.protocol == Protocol::Policy ? "policy_allowed_users"
                                                                      : "query_allowed_users") +
                                      "; connection closed");
            ++stats_.connections_denied;
            return false;
        }
        peer_key = peer->uid;
        limited = peer->uid != 0;  // root can stop the daemon anyway
    } else {
        sockaddr_in sa{};
        socklen_t len = sizeof sa;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return false;
        char text[INET_ADDRSTRLEN] = "?";
        ::inet_ntop(AF_INET, &sa.sin_addr, text, sizeof text);
        who = std::string("address ") + text;
        peer_key = (1ull << 32) | ntohl(sa.sin_addr.s_addr);
        limited = true;
    }
    if (limited) {
        auto it = per_peer_.find(peer_key);
        if (it != per_peer_.end() && it->second >= settings->max_connections_per_uid) {
            log_refusal("per-peer limit", l.name + ": " + who +
                                              " already holds max_connections_per_uid (" +
                                              std::to_string(settings->max_connections_per_uid) +
                                              ") connections; connection closed");
            return false;
        }
    }
    return true;
}

void Server::log_refusal(std::string_view kind, const std::string& line) {
    const auto now = SteadyClock::now();
    if (auto summary = refusal_log_.take_summary(now))
        log_warning("connections refused and not logged in the last window: " + *summary);
    if (refusal_log_.admit(kind, now)) log_warning(line);
}

void Server::update_listeners() {
    const auto settings = settings_.get();
    const bool at_limit = connections_.size() >= settings->max_connections;
    if (at_limit && !at_limit_logged_) {
        log_warning("max_connections (" + std::to_string(settings->max_connections) +
                    ") reached: new connections wait in the listen backlog");
        at_limit_logged_ = true;
    } else if (!at_limit && at_limit_logged_ &&
               connections_.size() + settings->max_connections / 10 < settings->max_connections) {
        at_limit_logged_ = false;  // log the next time the limit is reached
    }
    const bool want = !draining_ && !at_limit && SteadyClock::now() >= accept_paused_until_;
    if (want == listening_) return;
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        if (listeners_[i].fd < 0) continue;
        if (want) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = kListenerTag | i;
            ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners_[i].fd, &ev);
        } else {
            ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listeners_[i].fd, nullptr);
        }
    }
    listening_ = want;
}

void Server::on_event(Connection& c, std::uint32_t events) {
    const std::uint64_t id = c.id;
    if (events & EPOLLERR) {
        close_connection(id);
        return;
    }
    if (events & EPOLLOUT) {
        flush(c);
        if (connections_.count(id) == 0) return;
    }
    if (events & (EPOLLIN | EPOLLHUP)) {
        char buf[kReadChunk];
        for (int round = 0; round < 4 && !c.peer_closed; ++round) {
            const ssize_t n = ::read(c.fd, buf, sizeof buf);
            if (n > 0) {
                c.last_active = SteadyClock::now();
                if (!c.request_started) c.request_started = c.last_active;
                c.parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
                if (static_cast<std::size_t>(n) < sizeof buf) break;
            } else if (n == 0) {
                c.peer_closed = true;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else if (errno != EINTR) {
                close_connection(id);
                return;
            }
        }
        // A peer that hung up while its request runs gets no answer.
        if (c.peer_closed && c.busy && (events & EPOLLHUP)) {
            close_connection(id);
            return;
        }
    }
    process(c);
}

void Server::process(Connection& c) {
    bool drained = false;
    while (!c.busy && !c.closing && c.pending() < kMaxPendingOutput) {
        std::optional<AttrRequest> held = std::move(c.held);
        c.held.reset();
        std::optional<AttrRequestView> request;
        if (!held) request = c.parser.next_view();
        if (!held && !request) {
            drained = true;
            break;
        }
        const auto started = std::chrono::steady_clock::now();
        if (c.protocol == Protocol::Policy) {
            ++stats_.policy_requests;
            PolicyAnswer a = policy_(*request);
            stats_.policy_latency.observe(std::chrono::steady_clock::now() - started);
            if (a.close) {
                log_protocol_error(listeners_[c.listener].name + ": " + a.log +
                                   "; closing the connection");
                ++stats_.protocol_errors;
                c.closing = true;
                break;
            }
            append_policy_reply(a.verdict, c.out);
        } else {
            ++stats_.query_requests;
            // The one owned copy: a query may outlive the read buffer (worker pool).
            AttrRequest owned = held ? std::move(*held) : request->to_owned();
            if (QueryHandler::is_blocking(owned) && QueryHandler::needs_database(owned)) {
                c.busy = true;
                workers_.submit(c.id, [this, started, r = std::move(owned)] {
                    AttrList answer = query_.handle(r);
                    stats_.query_latency.observe(std::chrono::steady_clock::now() - started);
                    return std::vector<AttrList>{std::move(answer)};
                });
                break;
            }
            if (QueryHandler::is_blocking(owned)) {
                // A log write: the ones already pipelined behind it join it,
                // so they wait for one spool fdatasync together; replies
                // still go out in order, one per request.
                c.busy = true;
                std::vector<AttrRequest> group;
                group.push_back(std::move(owned));
                while (group.size() < kMaxLogGroup) {
                    std::optional<AttrRequestView> next = c.parser.next_view();
                    if (!next) break;
                    AttrRequest more = next->to_owned();
                    if (!QueryHandler::is_blocking(more) || QueryHandler::needs_database(more)) {
                        c.held = std::move(more);
                        break;
                    }
                    ++stats_.query_requests;
                    group.push_back(std::move(more));
                }
                const std::size_t n = group.size();
                spool_workers_.submit(
                    c.id,
                    [this, started, g = std::move(group)] {
                        std::vector<AttrList> answers = query_.handle_all(g);
                        const auto took = std::chrono::steady_clock::now() - started;
                        for (std::size_t i = 0; i < answers.size(); ++i)
                            stats_.query_latency.observe(took);
                        return answers;
                    },
                    n);
                break;
            }
            c.out += encode_attributes(query_.handle(owned), AttrEncoding::Escaped);
            stats_.query_latency.observe(std::chrono::steady_clock::now() - started);
        }
    }
    // The deadline covers the bytes not yet forming a whole request.
    if (drained && !c.parser.mid_request()) c.request_started.reset();
    if (drained && !c.closing) {
        if (auto err = c.parser.error()) {
            log_protocol_error(listeners_[c.listener].name + ": protocol error: " +
                               std::string(to_string(*err)) + "; closing the connection");
            ++stats_.protocol_errors;
            c.closing = true;
        } else if (c.peer_closed) {
            c.closing = true;
        }
    }
    const std::uint64_t id = c.id;
    flush(c);
    if (connections_.count(id) == 0) return;
    if (c.closing && c.pending() == 0 && !c.busy) {
        close_connection(id);
        return;
    }
    update_events(c);
}

void Server::flush(Connection& c) {
    while (c.pending() > 0) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.pending(), MSG_NOSIGNAL);
        if (n > 0) {
            c.out_sent += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            close_connection(c.id);
            return;
        }
    }
    if (c.pending() == 0) {
        c.out.clear();
        c.out_sent = 0;
        // Output was the only thing holding requests back: continue them.
        if (c.closing && !c.busy) {
            close_connection(c.id);
            return;
        }
    }
}

void Server::update_events(Connection& c) {
    std::uint32_t want = 0;
    if (!c.busy && !c.peer_closed && !c.closing && c.pending() < kMaxPendingOutput) want |= EPOLLIN;
    if (c.pending() > 0) want |= EPOLLOUT;
    if (want == c.events) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.u64 = c.id;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = want;
}

void Server::close_connection(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
    ::close(it->second->fd);
    if (it->second->limited) {
        auto p = per_peer_.find(it->second->peer_key);
        if (p != per_peer_.end() && --p->second == 0) per_peer_.erase(p);
    }
    connections_.erase(it);
    --stats_.connections_open;
}

void Server::finish_jobs(WorkerPool& pool) {
    for (WorkerPool::Done& d : pool.take_done()) {
        auto it = connections_.find(d.connection_id);
        if (it == connections_.end()) continue;  // the client left; the work is done anyway
        Connection& c = *it->second;
        c.busy = false;
        c.last_active = SteadyClock::now();
        for (const AttrList& reply : d.replies)
            c.out += encode_attributes(reply, AttrEncoding::Escaped);
        process(c);
    }
}

void Server::log_protocol_error(const std::string& line) {
    // A flood of bad connections must not flood the log: at most
    // kMaxErrorLines lines per window, then one summary.
    constexpr std::uint64_t kMaxErrorLines = 100;
    constexpr auto kWindow = std::chrono::seconds(10);
    const auto now = SteadyClock::now();
    if (now - error_window_start_ >= kWindow) {
        if (errors_suppressed_ > 0)
            log_warning(std::to_string(errors_suppressed_) +
                        " further protocol errors were not logged");
        error_window_start_ = now;
        errors_in_window_ = 0;
        errors_suppressed_ = 0;
    }
    if (++errors_in_window_ <= kMaxErrorLines)
        log_warning(line);
    else
        ++errors_suppressed_;
}

void Server::close_expired() {
    const auto settings = settings_.get();
    const auto now = SteadyClock::now();
    std::vector<std::uint64_t> idle;
    std::vector<std::uint64_t> slow;
    for (auto& [id, c] : connections_) {
        if (c->busy) continue;
        if (c->request_started && now - *c->request_started > settings->request_timeout)
            slow.push_back(id);
        else if (now - c->last_active > settings->idle_timeout)
            idle.push_back(id);
    }
    for (std::uint64_t id : slow) {
        auto it = connections_.find(id);
        log_protocol_error(listeners_[it->second->listener].name +
                           ": request not complete within request_timeout (" +
                           std::to_string(settings->request_timeout.count()) +
                           "ms); closing the connection");
        ++stats_.protocol_errors;
        close_connection(id);
    }
    for (std::uint64_t id : idle) close_connection(id);
}

}  // namespace boxwarden::policyd
