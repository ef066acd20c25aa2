#include "boxwarden/metrics_http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "boxwarden/config.h"

namespace boxwarden {

namespace {

bool is_loopback(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(a);
        return (ntohl(in.sin_addr.s_addr) >> 24) == 127;
    }
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
    return IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr);
}

std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds d) {
    return std::chrono::steady_clock::now() + d;
}

int ms_left(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

MetricsEndpoint parse_metrics_listen(std::string_view key, std::string_view text) {
    const std::string k(key);
    const std::string t(text);
    auto bad = [&](const std::string& why) {
        return ConfigError(k + ": " + why + " in '" + t +
                           "' (use 127.0.0.1:PORT or [::1]:PORT; loopback only)");
    };
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw bad("bad IPv6 address");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) throw bad("no port");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    int p = 0;
    const auto r = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || p < 1 ||
        p > 65535)
        throw bad("bad port");
    MetricsEndpoint e;
    e.text = t;
    const std::string h = host == "localhost" ? "127.0.0.1" : std::string(host);
    auto* in = reinterpret_cast<sockaddr_in*>(&e.address);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&e.address);
    if (::inet_pton(AF_INET, h.c_str(), &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(static_cast<uint16_t>(p));
        e.length = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, h.c_str(), &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(static_cast<uint16_t>(p));
        e.length = sizeof(sockaddr_in6);
    } else {
        throw bad("not a numeric address");
    }
    // No TLS, no authentication: only local scrapers (or a proxy) may reach it.
    if (!is_loopback(e.address)) throw bad("not a loopback address");
    return e;
}

HttpResponse answer_metrics_request(std::string_view head,
                                    const std::function<std::string()>& render) {
    const std::string_view line = head.substr(0, head.find("\r\n"));
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    HttpResponse r;
    r.content_type = "text/plain; charset=utf-8";
    if (sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
        r.status = 400;
        r.reason = "Bad Request";
        r.body = "bad request line\n";
        return r;
    }
    const std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    target = target.substr(0, target.find('?'));  // Prometheus may add parameters
    if (method != "GET" && method != "HEAD") {
        r.status = 405;
        r.reason = "Method Not Allowed";
        r.allow = "GET, HEAD";
        r.body = "only GET\n";
    } else if (target == "/metrics") {
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = render();
    } else if (target == "/") {
        r.body = "metrics at /metrics\n";
    } else {
        r.status = 404;
        r.reason = "Not Found";
        r.body = "not found (metrics at /metrics)\n";
    }
    return r;
}

std::string format_http_response(const HttpResponse& r, bool head_only) {
    std::string out("HTTP/1.1 ");
    out += std::to_string(r.status);
    out += ' ';
    out += r.reason;
    out += "\r\nContent-Type: ";
    out += r.content_type;
    out += "\r\nContent-Length: ";
    out += std::to_string(r.body.size());
    if (!r.allow.empty()) {
        out += "\r\nAllow: ";
        out += r.allow;
    }
    out += "\r\nConnection: close\r\n\r\n";
    if (!head_only) out += r.body;
    return out;
}

MetricsHttpServer::MetricsHttpServer(const MetricsEndpoint& endpoint, Render render, Log log)
    : render_(std::move(render)), log_(std::move(log)) {
    listen_fd_ =
        ::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) !=
            0 ||
        ::listen(listen_fd_, 16) != 0) {
        const std::string err = std::strerror(errno);
        ::close(listen_fd_);
        throw std::runtime_error("metrics listener " + endpoint.text + ": " + err);
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    port_ =
        ntohs(bound.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(bound).sin_port
                                         : reinterpret_cast<const sockaddr_in6&>(bound).sin6_port);
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
}

MetricsHttpServer::~MetricsHttpServer() {
    stop();
    for (int fd : {listen_fd_, wake_[0], wake_[1]})
        if (fd >= 0) ::close(fd);
}

void MetricsHttpServer::serve() {
    // The thread takes no signal: libmilter and policyd wait for theirs
    // in a thread of their own, and a default action here would kill the
    // process without its cleanup.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    thread_ = std::thread([this] { loop(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void MetricsHttpServer::stop() {
    if (stopping_.exchange(true)) return;
    const char c = 'x';
    [[maybe_unused]] const ssize_t n = ::write(wake_[1], &c, 1);
    if (thread_.joinable()) thread_.join();
}

void MetricsHttpServer::loop() {
    while (!stopping_.load()) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            log_(std::string("metrics listener: poll: ") + std::strerror(errno));
            return;
        }
        if (fds[1].revents != 0) return;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) continue;  // EAGAIN, or a client that left
        try {
            handle(fd);
        } catch (const std::exception& e) {
            log_(std::string("metrics listener: ") + e.what());
        }
        ::close(fd);
    }
}

void MetricsHttpServer::handle(int fd) {
    const auto deadline = deadline_after(kRequestTimeout);
    std::string head;
    bool complete = false;
    while (!complete && head.size() <= kMaxRequestBytes) {
        pollfd p{fd, POLLIN, 0};
        const int left = ms_left(deadline);
        if (left == 0 || ::poll(&p, 1, left) <= 0) return;  // too slow: closed without answer
        char buf[2048];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            return;
        }
        head.append(buf, static_cast<std::size_t>(n));
        complete = head.find("\r\n\r\n") != std::string::npos;
    }
    if (!complete && head.size() <= kMaxRequestBytes) return;
    HttpResponse r;
    if (head.size() > kMaxRequestBytes) {
        r.status = 431;
        r.reason = "Request Header Fields Too Large";
        r.content_type = "text/plain; charset=utf-8";
        r.body = "request too large\n";
    } else {
        r = answer_metrics_request(head, render_);
    }
    const std::string out = format_http_response(r, head.rfind("HEAD ", 0) == 0);
    std::size_t off = 0;
    while (off < out.size()) {
        const ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return;
        pollfd p{fd, POLLOUT, 0};
        const int left = ms_left(deadline);
        if (left == 0 || ::poll(&p, 1, left) <= 0) return;
    }
    // Closing with unread input would reset the connection and could drop
    // the answer at the client: end our side, then read what is left
    // (bounded) until the client closes.
    ::shutdown(fd, SHUT_WR);
    const auto linger = deadline_after(std::chrono::milliseconds(200));
    for (std::size_t drained = 0; drained < 65536;) {
        pollfd p{fd, POLLIN, 0};
        const int left = ms_left(linger);
        if (left == 0 || ::poll(&p, 1, left) <= 0) return;
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        drained += static_cast<std::size_t>(n);
    }
}

}  // namespace boxwarden
