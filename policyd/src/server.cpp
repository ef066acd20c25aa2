#include "server.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

#include "logger.h"

namespace boxwarden::policyd {

namespace {

constexpr std::uint64_t kListenerTag = 1ull << 63;
constexpr std::uint64_t kSignalTag = 1ull << 62;
constexpr std::uint64_t kWorkerTag = (1ull << 62) + 1;
// Replies waiting for a slow reader: stop taking its requests beyond this.
constexpr std::size_t kMaxPendingOutput = 256 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

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
    std::string out;
    std::size_t out_sent = 0;
    SteadyClock::time_point last_active = SteadyClock::now();
    bool busy = false;         // a request is on the worker pool
    bool peer_closed = false;  // EOF from the peer: answer what came, then close
    bool closing = false;      // close once the output is flushed
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
      workers_(workers) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kListenerTag | i;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners_[i].fd, &ev) != 0)
            throw std::system_error(errno, std::generic_category(), "epoll_ctl listener");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWorkerTag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, workers_.notify_fd(), &ev) != 0)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl eventfd");
}

Server::~Server() {
    workers_.stop();
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
                finish_jobs();
            } else if (tag & kListenerTag) {
                if (!draining_) accept_all(static_cast<std::size_t>(tag & ~kListenerTag));
            } else {
                auto it = connections_.find(tag);
                if (it != connections_.end()) on_event(*it->second, events[i].events);
            }
        }
        const auto now = SteadyClock::now();
        if (now - last_idle_scan >= std::chrono::milliseconds(500)) {
            close_idle();
            resume_listeners();
            last_idle_scan = now;
        }
        if (draining_ && (connections_.empty() || now >= drain_deadline)) {
            if (!connections_.empty())
                log_warning("shutdown: closing " + std::to_string(connections_.size()) +
                            " connections that did not finish in time");
            break;
        }
    }
    workers_.stop();
    finish_jobs();
}

void Server::begin_drain() {
    draining_ = true;
    for (Listener& l : listeners_) {
        if (!listeners_paused_) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, l.fd, nullptr);
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

void Server::accept_all(std::size_t index) {
    const Listener& l = listeners_[index];
    for (;;) {
        const int fd = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: stop listening for a moment instead of
                // spinning on a listener that stays readable.
                log_error("accept on " + l.name + ": " + std::strerror(errno) +
                          "; pausing new connections");
                pause_listeners();
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                log_error("accept on " + l.name + ": " + std::strerror(errno));
            }
            return;
        }
        const auto settings = settings_.get();
        if (connections_.size() >= settings->max_connections) {
            ::close(fd);
            ++stats_.connections_refused;
            const auto now = SteadyClock::now();
            if (now - last_refusal_log_ > std::chrono::seconds(10)) {
                log_warning("max_connections (" + std::to_string(settings->max_connections) +
                            ") reached: refusing new connections on " + l.name);
                last_refusal_log_ = now;
            }
            continue;
        }
        const std::uint64_t id = next_id_++;
        auto c = std::make_unique<Connection>(id, fd, l.protocol, index);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = id;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
            ::close(fd);
            continue;
        }
        c->events = EPOLLIN;
        connections_.emplace(id, std::move(c));
        ++stats_.connections_total;
        ++stats_.connections_open;
    }
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
                c.parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
                c.last_active = SteadyClock::now();
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
        std::optional<AttrRequestView> request = c.parser.next_view();
        if (!request) {
            drained = true;
            break;
        }
        if (c.protocol == Protocol::Policy) {
            ++stats_.policy_requests;
            PolicyAnswer a = policy_(*request);
            if (a.close) {
                log_protocol_error(listeners_[c.listener].name + ": " + a.log +
                                   "; closing the connection");
                ++stats_.protocol_errors;
                c.closing = true;
                break;
            }
            c.out += encode_attributes(a.reply, AttrEncoding::Raw);
        } else {
            ++stats_.query_requests;
            // The one owned copy: a query may outlive the read buffer (worker pool).
            AttrRequest owned = request->to_owned();
            if (QueryHandler::is_blocking(owned)) {
                c.busy = true;
                workers_.submit(c.id, [this, r = std::move(owned)] { return query_.handle(r); });
                break;
            }
            c.out += encode_attributes(query_.handle(owned), AttrEncoding::Escaped);
        }
    }
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
    connections_.erase(it);
    --stats_.connections_open;
}

void Server::finish_jobs() {
    for (WorkerPool::Done& d : workers_.take_done()) {
        auto it = connections_.find(d.connection_id);
        if (it == connections_.end()) continue;  // the client left; the work is done anyway
        Connection& c = *it->second;
        c.busy = false;
        c.last_active = SteadyClock::now();
        c.out += encode_attributes(d.reply, AttrEncoding::Escaped);
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

void Server::pause_listeners() {
    if (listeners_paused_) return;
    for (const Listener& l : listeners_)
        if (l.fd >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, l.fd, nullptr);
    listeners_paused_ = true;
}

void Server::resume_listeners() {
    if (!listeners_paused_ || draining_) return;
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        if (listeners_[i].fd < 0) continue;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kListenerTag | i;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners_[i].fd, &ev);
    }
    listeners_paused_ = false;
}

void Server::close_idle() {
    const auto settings = settings_.get();
    const auto now = SteadyClock::now();
    std::vector<std::uint64_t> idle;
    for (auto& [id, c] : connections_)
        if (!c->busy && now - c->last_active > settings->idle_timeout) idle.push_back(id);
    for (std::uint64_t id : idle) close_connection(id);
}

}  // namespace boxwarden::policyd
