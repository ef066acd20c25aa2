// Raw Postfix-policy-protocol load: C connections, each sending one request
// at a time (as an smtpd process does) and timing each reply; reports
// requests/s, p50/p99 latency, the replies seen, and optionally the server's
// CPU per request (/proc/PID/stat).
// Usage: bench_policy_load --target unix:/path|inet:127.0.0.1:PORT
//   [--connections 50] [--requests 200000] [--threads 1] [--mailboxes 100000]
//   [--domain bench.example] [--server-pid PID] [--warmup 20]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"

namespace {

using Clock = std::chrono::steady_clock;

int connect_to(const std::string& target) {
    int fd = -1;
    if (target.starts_with("unix:")) {
        const std::string path = target.substr(5);
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
    } else if (target.starts_with("inet:")) {
        const std::string hp = target.substr(5);
        const auto colon = hp.rfind(':');
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(std::stoi(hp.substr(colon + 1))));
        ::inet_pton(AF_INET, hp.substr(0, colon).c_str(), &a.sin_addr);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

std::string request(const std::string& recipient, unsigned n) {
    // The attributes Postfix 3.7 sends at RCPT, in its order.
    return "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
           "client_address=127.0.0.1\nclient_name=localhost\nclient_port=40000\n"
           "reverse_client_name=localhost\nserver_address=127.0.0.1\nserver_port=25\n"
           "helo_name=client.example.org\nsender=someone@example.org\nrecipient=" +
           recipient + "\nrecipient_count=0\nqueue_id=\ninstance=" + std::to_string(n) +
           ".bench\nsize=0\netrn_domain=\nstress=\nsasl_method=\nsasl_username=\n"
           "sasl_sender=\nccert_subject=\nccert_issuer=\nccert_fingerprint=\n"
           "ccert_pubkey_fingerprint=\nencryption_protocol=\nencryption_cipher=\n"
           "encryption_keysize=0\npolicy_context=\n\n";
}

struct Conn {
    int fd = -1;
    std::string in;
    Clock::time_point sent;
    long left = 0;
    long warmup = 0;
};

struct Shared {
    std::mutex mu;
    std::vector<double> latencies_ms;
    std::map<std::string, long> replies;
    long errors = 0;
};

void worker(const std::string& target, int connections, long per_conn, long warmup, int mailboxes,
            const std::string& domain, unsigned seed, Shared& shared) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pick(1, mailboxes);
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<Conn> conns(static_cast<size_t>(connections));
    std::vector<double> lat;
    std::map<std::string, long> replies;
    long errors = 0;
    unsigned counter = seed * 1000000u;
    auto send_next = [&](Conn& c) {
        // Appended piecewise: g++ 12 -O3 misreads `"m" + std::to_string(...)`
        // as an overlapping memcpy (a known -Wrestrict false positive).
        std::string address = "m";
        address.append(std::to_string(pick(rng))).append(1, '@').append(domain);
        const std::string r = request(address, ++counter);
        c.sent = Clock::now();
        if (::write(c.fd, r.data(), r.size()) != static_cast<ssize_t>(r.size())) {
            ++errors;
            c.left = 0;
        }
    };
    int active = 0;
    for (size_t i = 0; i < conns.size(); ++i) {
        Conn& c = conns[i];
        c.fd = connect_to(target);
        if (c.fd < 0) {
            ++errors;
            continue;
        }
        c.left = per_conn + warmup;
        c.warmup = warmup;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
        ++active;
        send_next(c);
    }
    std::vector<epoll_event> events(64);
    char buf[8192];
    while (active > 0) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 10000);
        if (n <= 0) break;  // 10 s without a reply: give up
        for (int k = 0; k < n; ++k) {
            Conn& c = conns[events[k].data.u64];
            const ssize_t got = ::read(c.fd, buf, sizeof buf);
            if (got <= 0) {
                ++errors;
                ::close(c.fd);
                --active;
                continue;
            }
            c.in.append(buf, static_cast<size_t>(got));
            const auto end = c.in.find("\n\n");
            if (end == std::string::npos) continue;
            const double ms =
                std::chrono::duration<double, std::milli>(Clock::now() - c.sent).count();
            std::string action = c.in.substr(0, end);
            if (action.starts_with("action=")) action = action.substr(7, 12);
            c.in.erase(0, end + 2);
            --c.left;
            if (c.warmup > 0) {
                --c.warmup;
            } else {
                lat.push_back(ms);
                ++replies[action];
            }
            if (c.left > 0) {
                send_next(c);
            } else {
                ::close(c.fd);
                --active;
            }
        }
    }
    ::close(ep);
    std::lock_guard lock(shared.mu);
    shared.latencies_ms.insert(shared.latencies_ms.end(), lat.begin(), lat.end());
    for (const auto& [k, v] : replies) shared.replies[k] += v;
    shared.errors += errors;
}

}  // namespace

int main(int argc, char** argv) {
    using boxwarden::bench::arg;
    const std::string target = arg(argc, argv, "target", "");
    if (target.empty()) {
        std::fprintf(stderr,
                     "usage: bench_policy_load --target unix:/path|inet:127.0.0.1:PORT "
                     "[--connections 50] [--requests 200000] [--threads 1] "
                     "[--mailboxes 100000] [--domain bench.example] [--server-pid PID]\n");
        return 2;
    }
    const int connections = std::stoi(arg(argc, argv, "connections", "50"));
    const long requests = std::stol(arg(argc, argv, "requests", "200000"));
    const int threads = std::stoi(arg(argc, argv, "threads", "1"));
    const int mailboxes = std::stoi(arg(argc, argv, "mailboxes", "100000"));
    const long warmup = std::stol(arg(argc, argv, "warmup", "20"));
    const std::string domain = arg(argc, argv, "domain", "bench.example");
    const pid_t server = std::stoi(arg(argc, argv, "server-pid", "0"));
    const long per_conn = requests / connections;

    Shared shared;
    const double cpu0 = server > 0 ? boxwarden::bench::process_cpu_seconds(server) : 0;
    const auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        const int mine = connections / threads + (t < connections % threads ? 1 : 0);
        ts.emplace_back(worker, target, mine, per_conn, warmup, mailboxes, domain,
                        static_cast<unsigned>(t + 1), std::ref(shared));
    }
    for (auto& th : ts) th.join();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = server > 0 ? boxwarden::bench::process_cpu_seconds(server) - cpu0 : -1;
    const auto counted = static_cast<double>(shared.latencies_ms.size());
    const double total = counted + static_cast<double>(warmup * connections);
    std::printf("target %s, %d connections, %d client thread(s)\n", target.c_str(), connections,
                threads);
    std::printf("requests %.0f (+%ld warm-up) in %.2f s: %.0f requests/s\n", counted,
                warmup * connections, wall, total / wall);
    std::printf("latency ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
                boxwarden::bench::percentile(shared.latencies_ms, 50),
                boxwarden::bench::percentile(shared.latencies_ms, 99),
                boxwarden::bench::percentile(shared.latencies_ms, 99.9),
                boxwarden::bench::percentile(shared.latencies_ms, 100));
    if (server > 0)
        std::printf("server CPU: %.3f s = %.4f ms per request\n", cpu, cpu / total * 1000);
    for (const auto& [k, v] : shared.replies) std::printf("reply '%s': %ld\n", k.c_str(), v);
    std::printf("errors: %ld\n", shared.errors);
    return shared.errors == 0 ? 0 : 1;
}
