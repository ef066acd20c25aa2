#pragma once
// An in-process fake policyd for the client tests: listens on a unix socket
// in a temp dir and runs a scripted handler for each accepted connection on
// its own thread.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "boxwarden/attr_codec.h"

namespace boxwarden::client::testing {

// One accepted connection, blocking I/O.
class ServerSide {
  public:
    explicit ServerSide(int fd) : fd_(fd), parser_(AttrEncoding::Escaped) {}
    // The next request, or nullopt when the client closed.
    std::optional<AttrRequest> read_request() {
        for (;;) {
            if (auto r = parser_.next()) return r;
            char buf[4096];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return std::nullopt;
            parser_.feed(std::string_view(buf, static_cast<size_t>(n)));
        }
    }
    void write(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            bytes.remove_prefix(static_cast<size_t>(n));
        }
    }
    void reply(const AttrList& attributes) {
        write(encode_attributes(attributes, AttrEncoding::Escaped));
    }
    int fd() const { return fd_; }

  private:
    int fd_;
    AttrRequestParser parser_;
};

class FakeServer {
  public:
    using Handler = std::function<void(ServerSide&, int connection_number)>;

    explicit FakeServer(Handler handler) : handler_(std::move(handler)) {
        char tmpl[] = "/tmp/bw-client-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/query.sock";
        listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
            ::listen(listen_fd_, 16) != 0)
            std::abort();
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~FakeServer() {
        stopping_ = true;
        ::shutdown(listen_fd_, SHUT_RDWR);
        acceptor_.join();
        {
            std::lock_guard lock(mu_);
            for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
        }
        for (auto& t : workers_) t.join();
        for (int fd : fds_) ::close(fd);
        ::close(listen_fd_);
        ::unlink(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    const std::string& path() const { return path_; }
    int connections() const { return connections_.load(); }

  private:
    void accept_loop() {
        for (;;) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0 || stopping_) {
                if (fd >= 0) ::close(fd);
                return;
            }
            const int n = ++connections_;
            std::lock_guard lock(mu_);
            fds_.push_back(fd);
            workers_.emplace_back([this, fd, n] {
                ServerSide side(fd);
                handler_(side, n);
                ::shutdown(fd, SHUT_RDWR);
            });
        }
    }

    Handler handler_;
    std::string dir_, path_;
    int listen_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::thread acceptor_;
    std::mutex mu_;
    std::vector<int> fds_;
    std::vector<std::thread> workers_;
};

}  // namespace boxwarden::client::testing
