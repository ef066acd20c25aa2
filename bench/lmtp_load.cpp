// Load client for the Dovecot plugin benchmark (bench/dovecot_lmtp_bench.sh,
// docs/benchmarks.md): CONNECTIONS parallel LMTP sessions on one TCP port,
// TOTAL deliveries in all, one recipient each (m1..mMAILBOXES@DOMAIN in
// turn). Each transaction is pipelined (RFC 2920): MAIL FROM, RCPT TO and
// DATA in one write, then the message after the 354, each message with its
// own Message-ID (TAG makes them unique across runs).
//   bench_lmtp_load HOST:PORT CONNECTIONS TOTAL MAILBOXES DOMAIN TAG
// Prints "deliveries=N seconds=S deliveries_per_s=R failed=F".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
    int connections = 0;
    int total = 0;
    int mailboxes = 0;
    std::string domain;
    std::string tag;
};

// Replies of one session, read line by line.
class Session {
  public:
    explicit Session(int fd) : fd_(fd) {}
    // The code of the next reply (multi-line: up to the "NNN " line); -1 on EOF.
    int reply() {
        for (;;) {
            const std::size_t nl = buf_.find('\n', pos_);
            if (nl == std::string::npos) {
                buf_.erase(0, pos_);
                pos_ = 0;
                char tmp[4096];
                const ssize_t n = ::read(fd_, tmp, sizeof tmp);
                if (n <= 0) return -1;
                buf_.append(tmp, static_cast<std::size_t>(n));
                continue;
            }
            const std::size_t start = pos_;
            pos_ = nl + 1;
            if (nl - start >= 4 && buf_[start + 3] == '-') continue;
            return std::atoi(buf_.c_str() + start);
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
    std::size_t pos_ = 0;
};

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

// A plain 1.5 KB text message to `rcpt`, like ordinary mail.
std::string message(const Args& a, const std::string& rcpt, int n) {
    // append() throughout: g++ 12 -O3 warns (-Wrestrict) on "literal" + string.
    std::string m;
    m.append("From: Bench Sender <sender@remote.example>\r\nTo: <").append(rcpt);
    m.append(">\r\nSubject: Benchmark message ").append(std::to_string(n));
    m.append("\r\nMessage-ID: <").append(a.tag).append("-").append(std::to_string(n));
    m.append(
        "@remote.example>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    for (int i = 0; i < 20; ++i)
        m.append("The quick brown fox jumps over the lazy dog, line ")
            .append(std::to_string(i))
            .append(" of the body.\r\n");
    m.append(".\r\n");
    return m;
}

// One session: `count` deliveries, numbers first, first + step, ...
int run_session(const Args& a, int first, int step, int count, std::atomic<int>& failed) {
    const int fd = connect_to(a);
    if (fd < 0) {
        failed += count;
        return 0;
    }
    Session s(fd);
    int done = 0;
    if (s.reply() != 220 || !s.send("LHLO bench.example\r\n") || s.reply() != 250) {
        failed += count;
        ::close(fd);
        return 0;
    }
    for (int i = 0; i < count; ++i) {
        const int n = first + i * step;
        std::string rcpt("m");
        rcpt.append(std::to_string(n % a.mailboxes + 1)).append("@").append(a.domain);
        std::string envelope("MAIL FROM:<sender@remote.example>\r\nRCPT TO:<");
        envelope.append(rcpt).append(">\r\nDATA\r\n");
        if (!s.send(envelope)) {
            failed += count - i;
            break;
        }
        const int mail = s.reply(), rcpt_code = s.reply(), data = s.reply();
        if (mail != 250 || rcpt_code != 250 || data != 354) {
            ++failed;
            if (data == 354) {  // an empty message, one reply per accepted recipient
                s.send(".\r\n");
                if (rcpt_code == 250) s.reply();
            }
            if (mail < 0 || rcpt_code < 0 || data < 0) break;
            s.send("RSET\r\n");
            s.reply();
            continue;
        }
        if (!s.send(message(a, rcpt, n))) {
            failed += count - i;
            break;
        }
        if (s.reply() == 250)
            ++done;
        else
            ++failed;
    }
    s.send("QUIT\r\n");
    ::close(fd);
    return done;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr,
                     "usage: bench_lmtp_load HOST:PORT CONNECTIONS TOTAL MAILBOXES DOMAIN TAG\n");
        return 2;
    }
    Args a;
    const std::string target = argv[1];
    const auto colon = target.rfind(':');
    if (colon == std::string::npos) return 2;
    a.host = target.substr(0, colon);
    a.port = std::atoi(target.c_str() + colon + 1);
    a.connections = std::atoi(argv[2]);
    a.total = std::atoi(argv[3]);
    a.mailboxes = std::atoi(argv[4]);
    a.domain = argv[5];
    a.tag = argv[6];
    if (a.port <= 0 || a.connections <= 0 || a.total <= 0 || a.mailboxes <= 0) return 2;

    std::atomic<int> failed{0};
    std::atomic<int> delivered{0};
    std::vector<std::thread> threads;
    const auto t0 = std::chrono::steady_clock::now();
    for (int c = 0; c < a.connections; ++c) {
        const int count = a.total / a.connections + (c < a.total % a.connections ? 1 : 0);
        threads.emplace_back(
            [&, c, count] { delivered += run_session(a, c, a.connections, count, failed); });
    }
    for (auto& t : threads) t.join();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("deliveries=%d seconds=%.3f deliveries_per_s=%.1f failed=%d\n", delivered.load(),
                secs, delivered.load() / secs, failed.load());
    return failed.load() == 0 ? 0 : 1;
}
