// Load client for the milter benchmark (docs/benchmarks.md): SESSIONS
// concurrent SMTP sessions, each AUTH PLAIN once, then MESSAGES messages
// with MAIL/RCPT/DATA pipelined (RFC 2920), each with its own Message-ID.
// smtp-source cannot authenticate, hence this program.
//   bench_smtp_auth_load HOST:PORT SESSIONS TOTAL USER PASSWORD FROM TO
// Prints "messages=N seconds=S msgs_per_s=R failed=F".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Args {
    std::string host;
    int port = 0;
    int sessions = 0;
    int total = 0;
    std::string user, password, from, to;
};

class Line {
  public:
    explicit Line(int fd) : fd_(fd) {}
    // One reply (multi-line replies: up to the line with "NNN ").
    int reply() {
        for (;;) {
            const std::size_t nl = buf_.find('\n');
            if (nl == std::string::npos) {
                char tmp[4096];
                const ssize_t n = ::read(fd_, tmp, sizeof tmp);
                if (n <= 0) return -1;
                buf_.append(tmp, static_cast<std::size_t>(n));
                continue;
            }
            const std::string line = buf_.substr(0, nl);
            buf_.erase(0, nl + 1);
            if (line.size() >= 4 && line[3] == '-') continue;
            return std::atoi(line.c_str());
        }
    }
    bool send(const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            const ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

  private:
    int fd_;
    std::string buf_;
};

std::string base64(const std::string& raw) {
    std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);
    return out;
}

int connect_to(const Args& a) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(a.port));
    ::inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// One session: AUTH, then `count` messages; returns the number accepted.
int run_session(const Args& a, int session, int count) {
    const int fd = connect_to(a);
    if (fd < 0) return 0;
    Line l(fd);
    int ok = 0;
    if (l.reply() != 220 || !l.send("EHLO bench.example\r\n") || l.reply() != 250 ||
        !l.send("AUTH PLAIN " +
                base64(std::string("\0", 1) + a.user + std::string("\0", 1) + a.password) +
                "\r\n") ||
        l.reply() != 235) {
        ::close(fd);
        return 0;
    }
    for (int i = 0; i < count; ++i) {
        if (!l.send("MAIL FROM:<" + a.from + ">\r\nRCPT TO:<" + a.to + ">\r\nDATA\r\n")) break;
        const int mail = l.reply(), rcpt = l.reply(), data = l.reply();
        if (mail != 250 || rcpt != 250 || data != 354) {
            if (data == 354) l.send(".\r\n"), l.reply();
            l.send("RSET\r\n");
            l.reply();
            continue;
        }
        char id[96];
        std::snprintf(id, sizeof id, "<bench-%d-%d-%ld@bench.example>", session, i,
                      static_cast<long>(::getpid()));
        l.send(std::string("From: ") + a.from + "\r\nTo: " + a.to + "\r\nMessage-ID: " + id +
               "\r\nSubject: bench\r\n\r\nbench body\r\n.\r\n");
        if (l.reply() == 250) ++ok;
    }
    l.send("QUIT\r\n");
    l.reply();
    ::close(fd);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 8 || sodium_init() < 0) {
        std::fprintf(
            stderr, "usage: bench_smtp_auth_load HOST:PORT SESSIONS TOTAL USER PASSWORD FROM TO\n");
        return 64;
    }
    Args a;
    const std::string hp = argv[1];
    a.host = hp.substr(0, hp.find(':'));
    a.port = std::atoi(hp.substr(hp.find(':') + 1).c_str());
    a.sessions = std::atoi(argv[2]);
    a.total = std::atoi(argv[3]);
    a.user = argv[4];
    a.password = argv[5];
    a.from = argv[6];
    a.to = argv[7];
    if (a.sessions <= 0 || a.total <= 0) return 64;
    std::atomic<int> accepted{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int s = 0; s < a.sessions; ++s) {
        const int count = a.total / a.sessions + (s < a.total % a.sessions ? 1 : 0);
        threads.emplace_back([&, s, count] { accepted += run_session(a, s, count); });
    }
    for (auto& t : threads) t.join();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("messages=%d seconds=%.2f msgs_per_s=%.1f failed=%d\n", accepted.load(), secs,
                accepted.load() / secs, a.total - accepted.load());
    return accepted.load() == a.total ? 0 : 1;
}
