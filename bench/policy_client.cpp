#include "policy_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace boxwarden::bench {

namespace {

int connect_to(const std::string& target) {
    if (target.starts_with("unix:")) {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, target.c_str() + 5, sizeof a.sun_path - 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
        ::close(fd);
        return -1;
    }
    const std::string hp = target.substr(5);
    const auto colon = hp.rfind(':');
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::stoi(hp.substr(colon + 1))));
    ::inet_pton(AF_INET, hp.substr(0, colon).c_str(), &a.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return fd;
    }
    ::close(fd);
    return -1;
}

}  // namespace

PolicyClient::~PolicyClient() {
    if (fd_ >= 0) ::close(fd_);
}

std::string PolicyClient::ask(const std::string& recipient) {
    if (fd_ < 0) fd_ = connect_to(target_);
    if (fd_ < 0) return "";
    const std::string req =
        "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
        "client_address=127.0.0.1\nclient_name=localhost\nhelo_name=client.example.org\n"
        "sender=someone@example.org\nrecipient=" +
        recipient + "\nqueue_id=\ninstance=probe\nsize=0\nsasl_username=\n\n";
    std::string in;
    char buf[4096];
    if (::write(fd_, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
        for (;;) {
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0) break;
            in.append(buf, static_cast<size_t>(n));
            const auto end = in.find("\n\n");
            if (end == std::string::npos) continue;
            std::string action = in.substr(0, end);
            return action.starts_with("action=") ? action.substr(7) : action;
        }
    }
    ::close(fd_);
    fd_ = -1;
    return "";
}

}  // namespace boxwarden::bench
