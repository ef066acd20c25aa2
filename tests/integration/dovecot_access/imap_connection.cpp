#include "imap_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace boxwarden::testing {

ImapConnection::ImapConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

ImapConnection::~ImapConnection() {
    if (fd_ >= 0) ::close(fd_);
}

std::string ImapConnection::read_until(const std::string& needle, int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (buffer_.find(needle, consumed_) == std::string::npos && !eof_ && fd_ >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              end - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) break;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char buf[4096];
        const ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n <= 0)
            eof_ = true;
        else
            buffer_.append(buf, static_cast<size_t>(n));
    }
    const auto at = buffer_.find(needle, consumed_);
    if (at != std::string::npos) consumed_ = at + needle.size();
    return buffer_;
}

bool ImapConnection::send(const std::string& line) {
    if (fd_ < 0) return false;
    const std::string l = line + "\r\n";
    return ::send(fd_, l.data(), l.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(l.size());
}

std::string ImapConnection::command(const std::string& tag, const std::string& command,
                                    int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    const std::size_t from = buffer_.size();
    send(tag + " " + command);
    // Line by line until the tagged reply (or EOF / the deadline).
    for (std::size_t line_start = from;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              end - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0 || eof_) break;
        consumed_ = line_start;
        read_until("\r\n", static_cast<int>(left));
        const auto nl = buffer_.find("\r\n", line_start);
        if (nl == std::string::npos) break;
        const bool tagged = buffer_.compare(line_start, tag.size() + 1, tag + " ") == 0;
        line_start = nl + 2;
        consumed_ = line_start;
        if (tagged) break;
    }
    return buffer_.substr(from);
}

}  // namespace boxwarden::testing
