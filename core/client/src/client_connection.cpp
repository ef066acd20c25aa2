#include "boxwarden/client_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace boxwarden::client {

namespace {

std::string errno_text(std::string_view what, int err) {
    return std::string(what) + ": " + std::strerror(err);
}

bool is_disconnect(int err) {
    return err == EPIPE || err == ECONNRESET || err == ENOTCONN;
}

// Waits for `events` on fd until the deadline; 1 ready, 0 timeout, -1 error.
int wait_for(int fd, short events, Deadline deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, remaining_ms(deadline));
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -1 : n;
    }
}

int connect_unix(const std::string& path, Deadline deadline, std::string& error) {
    sockaddr_un sa{};
    if (path.empty() || path.size() >= sizeof sa.sun_path) {
        error = "bad unix socket path '" + path + "'";
        return -1;
    }
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error = errno_text("socket", errno);
        return -1;
    }
    for (;;) {
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) return fd;
        const int err = errno;
        if (err == EINTR) continue;
        // A full listen backlog: a blocking connect would wait, so retry
        // until the deadline instead of failing at once.
        if (err == EAGAIN && remaining_ms(deadline) > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        ::close(fd);
        error = errno_text("connect to " + path, err == EAGAIN ? ETIMEDOUT : err);
        return -1;
    }
}

int connect_inet(const std::string& host_port, Deadline deadline, std::string& error) {
    const auto colon = host_port.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
        error = "bad inet target '" + host_port + "' (want host:port)";
        return -1;
    }
    std::string host = host_port.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string port = host_port.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        error = "resolve " + host_port + ": " + ::gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    error = "connect to " + host_port + ": no address";
    for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) continue;
        int err = 0;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            err = errno;
            if (err == EINPROGRESS) {
                const int w = wait_for(fd, POLLOUT, deadline);
                socklen_t len = sizeof err;
                if (w == 0)
                    err = ETIMEDOUT;
                else if (w < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                    err = errno;
            }
        }
        if (err != 0) {
            error = errno_text("connect to " + host_port, err);
            ::close(fd);
            fd = -1;
            continue;
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ::freeaddrinfo(found);
    return fd;
}

}  // namespace

int remaining_ms(Deadline deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    // Round up, so a wait never ends just before the deadline.
    return static_cast<int>(std::min<long long>(left.count() + 1, 1 << 30));
}

Connection::Connection(std::string target, AttrEncoding encoding, AttrLimits limits)
    : target_(std::move(target)), encoding_(encoding), limits_(limits) {}

Connection::~Connection() {
    close();
}

Connection::Connection(Connection&& o) noexcept
    : target_(std::move(o.target_)),
      encoding_(o.encoding_),
      limits_(o.limits_),
      fd_(o.fd_),
      parser_(std::move(o.parser_)) {
    o.fd_ = -1;
}

Connection& Connection::operator=(Connection&& o) noexcept {
    if (this != &o) {
        close();
        target_ = std::move(o.target_);
        encoding_ = o.encoding_;
        limits_ = o.limits_;
        fd_ = o.fd_;
        parser_ = std::move(o.parser_);
        o.fd_ = -1;
    }
    return *this;
}

void Connection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    parser_.reset();
}

IoResult Connection::fail(IoStatus status, std::string error) {
    close();
    return IoResult{status, std::move(error)};
}

IoResult Connection::connect(Deadline deadline) {
    close();
    std::string error;
    if (target_.starts_with("unix:"))
        fd_ = connect_unix(target_.substr(5), deadline, error);
    else if (target_.starts_with("inet:"))
        fd_ = connect_inet(target_.substr(5), deadline, error);
    else
        fd_ = connect_unix(target_, deadline, error);
    if (fd_ < 0) return IoResult{IoStatus::Error, error};
    parser_ = std::make_unique<AttrRequestParser>(encoding_, limits_);
    return {};
}

bool Connection::peer_closed() {
    if (fd_ < 0) return true;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLHUP | POLLERR)) return true;
    char byte;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && is_disconnect(errno));
}

IoResult Connection::send(std::string_view bytes, Deadline deadline) {
    if (fd_ < 0) return IoResult{IoStatus::Closed, "not connected"};
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<size_t>(n));
            continue;
        }
        const int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) {
            const int w = wait_for(fd_, POLLOUT, deadline);
            if (w == 0) return fail(IoStatus::Timeout, "timeout writing to " + target_);
            if (w < 0) return fail(IoStatus::Error, errno_text("poll", errno));
            continue;
        }
        if (is_disconnect(err))
            return fail(IoStatus::Closed, errno_text("write to " + target_, err));
        return fail(IoStatus::Error, errno_text("write to " + target_, err));
    }
    return {};
}

std::optional<ReplyResult> Connection::take_buffered() {
    if (!parser_) return std::nullopt;
    if (auto reply = parser_->next()) return ReplyResult{{}, std::move(*reply)};
    if (auto error = parser_->error())
        return ReplyResult{fail(IoStatus::Error, "malformed reply from " + target_ + ": " +
                                                     std::string(to_string(*error))),
                           {}};
    return std::nullopt;
}

// One read, waiting up to wait_ms for it.
IoResult Connection::fill(int wait_ms) {
    for (;;) {
        pollfd p{fd_, POLLIN, 0};
        const int w = ::poll(&p, 1, wait_ms);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return fail(IoStatus::Error, errno_text("poll", errno));
        if (w == 0)
            return IoResult{IoStatus::Timeout, "timeout waiting for a reply from " + target_};
        char buf[16384];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
            parser_->feed(std::string_view(buf, static_cast<size_t>(n)));
            return {};
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return {};
        if (n == 0 || is_disconnect(errno))
            return fail(IoStatus::Closed, "connection to " + target_ + " closed before the reply");
        return fail(IoStatus::Error, errno_text("read from " + target_, errno));
    }
}

ReplyResult Connection::read_reply(Deadline deadline) {
    for (;;) {
        if (auto buffered = take_buffered()) return std::move(*buffered);
        if (fd_ < 0) return ReplyResult{{IoStatus::Closed, "not connected"}, {}};
        IoResult r = fill(remaining_ms(deadline));
        if (!r.ok()) return ReplyResult{std::move(r), {}};
    }
}

std::optional<ReplyResult> Connection::read_reply_nowait() {
    if (auto buffered = take_buffered()) return buffered;
    if (fd_ < 0) return ReplyResult{{IoStatus::Closed, "not connected"}, {}};
    IoResult r = fill(0);
    if (r.status == IoStatus::Timeout) return std::nullopt;
    if (!r.ok()) return ReplyResult{std::move(r), {}};
    return take_buffered();
}

bool Connection::wait_closed(Deadline deadline) {
    while (fd_ >= 0) {
        const int w = wait_for(fd_, POLLIN, deadline);
        if (w <= 0) return false;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && is_disconnect(errno))) {
            close();
            return true;
        }
        if (n < 0 && errno != EINTR && errno != EAGAIN) return false;
    }
    return true;
}

}  // namespace boxwarden::client
