// The trivial policy server the benchmark compares against: answers every
// request (lines ending in an empty line) with "action=DUNNO". One thread,
// epoll. Usage: bench_dunno_server unix:/path | inet:127.0.0.1:PORT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_dunno_server unix:/path | inet:127.0.0.1:PORT\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    const std::string target = argv[1];
    int lfd = -1;
    if (target.starts_with("unix:")) {
        const std::string path = target.substr(5);
        ::unlink(path.c_str());
        lfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 1;
    } else {
        const std::string hp = target.substr(5);
        const auto colon = hp.rfind(':');
        lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(std::stoi(hp.substr(colon + 1))));
        ::inet_pton(AF_INET, hp.substr(0, colon).c_str(), &a.sin_addr);
        if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 1;
    }
    if (::listen(lfd, 512) != 0) return 1;
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    std::unordered_map<int, std::string> buffers;
    epoll_event events[128];
    char buf[16384];
    static const char kReply[] = "action=DUNNO\n\n";
    for (;;) {
        const int n = ::epoll_wait(ep, events, 128, -1);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == lfd) {
                const int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
                if (c < 0) continue;
                epoll_event cev{};
                cev.events = EPOLLIN;
                cev.data.fd = c;
                ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                buffers[c];
                continue;
            }
            const ssize_t got = ::read(fd, buf, sizeof buf);
            if (got <= 0) {
                ::close(fd);
                buffers.erase(fd);
                continue;
            }
            std::string& in = buffers[fd];
            in.append(buf, static_cast<size_t>(got));
            std::string out;
            for (size_t end; (end = in.find("\n\n")) != std::string::npos;) {
                in.erase(0, end + 2);
                out += kReply;
            }
            if (!out.empty() && ::write(fd, out.data(), out.size()) < 0) {
                ::close(fd);
                buffers.erase(fd);
            }
        }
    }
}
