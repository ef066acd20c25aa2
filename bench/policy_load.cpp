// Raw Postfix-policy-protocol load: C connections, each sending one request
// at a time (as an smtpd process does) and timing each reply; reports
// requests/s, p50/p99 latency, the replies seen, and optionally the server's
// CPU per request (/proc/PID/stat).
// Recipients: m1..mN@domain, of which every --disabled-every'th (mK with
// K % that == 0) is expected disabled, and --unknown-percent of the requests
// go to u<K>@domain, which does not exist. Every reply is checked against
// --expect: "policyd" (DUNNO, 550 5.2.1 Mailbox disabled, 550 5.1.1 Mailbox
// unknown) or "dunno" (DUNNO for all); any other reply is an error and the
// exit status is 1.
// Usage: bench_policy_load --target unix:/path|inet:127.0.0.1:PORT
//   [--connections 50] [--requests 200000] [--threads 1] [--mailboxes 100000]
//   [--domain bench.example] [--server-pid PID] [--warmup 20]
//   [--expect policyd|dunno] [--disabled-every 10] [--unknown-percent 10]
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench_util.h"
#include "boxwarden/client_connection.h"

namespace {

using Clock = std::chrono::steady_clock;

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

enum class Expect { Policyd, Dunno };

struct Mix {
    Expect expect = Expect::Policyd;
    int disabled_every = 10;  // 0 = none disabled
    int unknown_percent = 10;
};

constexpr std::string_view kDunno = "action=DUNNO";

// The recipient of one request and the reply it must get.
std::pair<std::string, std::string_view> pick_recipient(std::mt19937& rng, int mailboxes,
                                                        const std::string& domain, const Mix& mix) {
    std::uniform_int_distribution<int> pick(1, mailboxes);
    std::uniform_int_distribution<int> percent(0, 99);
    const int k = pick(rng);
    // Appended piecewise: g++ 12 -O3 misreads `"m" + std::to_string(...)`
    // as an overlapping memcpy (a known -Wrestrict false positive).
    const auto address = [&](char prefix) {
        std::string a(1, prefix);
        a.append(std::to_string(k)).append(1, '@').append(domain);
        return a;
    };
    if (percent(rng) < mix.unknown_percent) {
        return {address('u'),
                mix.expect == Expect::Dunno ? kDunno : "action=550 5.1.1 Mailbox unknown"};
    }
    const bool disabled = mix.disabled_every > 0 && k % mix.disabled_every == 0;
    return {address('m'), disabled && mix.expect == Expect::Policyd
                              ? "action=550 5.2.1 Mailbox disabled"
                              : kDunno};
}

// Connections come from boxwarden_client (the one socket implementation);
// this tool only multiplexes them with epoll.
struct Conn {
    std::optional<boxwarden::client::Connection> conn;
    std::string_view expected;
    Clock::time_point sent;
    long left = 0;
    long warmup = 0;
};

struct Shared {
    std::mutex mu;
    std::vector<double> latencies_ms;
    std::map<std::string, long> replies;
    long errors = 0;
    long unexpected = 0;
    std::string first_unexpected;
};

void worker(const std::string& target, int connections, long per_conn, long warmup, int mailboxes,
            const std::string& domain, const Mix& mix, unsigned seed, Shared& shared) {
    std::mt19937 rng(seed);
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<Conn> conns(static_cast<size_t>(connections));
    std::vector<double> lat;
    std::map<std::string, long> replies;
    long errors = 0;
    long unexpected = 0;
    std::string first_unexpected;
    unsigned counter = seed * 1000000u;
    auto send_next = [&](Conn& c) {
        auto [recipient, expected] = pick_recipient(rng, mailboxes, domain, mix);
        c.expected = expected;
        const std::string r = request(recipient, ++counter);
        c.sent = Clock::now();
        if (!c.conn->send(r, boxwarden::client::deadline_in(std::chrono::seconds(10))).ok()) {
            ++errors;
            c.left = 0;
        }
    };
    int active = 0;
    for (size_t i = 0; i < conns.size(); ++i) {
        Conn& c = conns[i];
        c.conn.emplace(target, boxwarden::AttrEncoding::Raw);
        if (!c.conn->connect(boxwarden::client::deadline_in(std::chrono::seconds(10))).ok()) {
            ++errors;
            continue;
        }
        c.left = per_conn + warmup;
        c.warmup = warmup;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, c.conn->fd(), &ev);
        ++active;
        send_next(c);
    }
    std::vector<epoll_event> events(64);
    while (active > 0) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 10000);
        if (n <= 0) break;  // 10 s without a reply: give up
        for (int k = 0; k < n; ++k) {
            Conn& c = conns[events[k].data.u64];
            auto got = c.conn->read_reply_nowait();
            if (!got) continue;  // part of a reply so far
            if (!got->io.ok()) {
                ++errors;
                c.conn.reset();
                --active;
                continue;
            }
            const double ms =
                std::chrono::duration<double, std::milli>(Clock::now() - c.sent).count();
            // The whole reply, as on the wire without line ends: one action= line.
            std::string reply;
            for (const auto& [name, value] : got->reply.attributes) {
                if (!reply.empty()) reply += '\n';
                reply += name + "=" + value;
            }
            if (reply != c.expected) {
                if (unexpected++ == 0) {
                    first_unexpected =
                        "'" + reply + "', expected '" + std::string(c.expected) + "'";
                }
            }
            std::string action = reply;
            if (action.starts_with("action=")) action = action.substr(7, 26);
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
                c.conn.reset();
                --active;
            }
        }
    }
    ::close(ep);
    std::lock_guard lock(shared.mu);
    shared.latencies_ms.insert(shared.latencies_ms.end(), lat.begin(), lat.end());
    for (const auto& [k, v] : replies) shared.replies[k] += v;
    shared.errors += errors;
    if (shared.unexpected == 0) shared.first_unexpected = first_unexpected;
    shared.unexpected += unexpected;
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
    Mix mix;
    const std::string expect = arg(argc, argv, "expect", "policyd");
    if (expect != "policyd" && expect != "dunno") {
        std::fprintf(stderr, "--expect must be policyd or dunno\n");
        return 2;
    }
    mix.expect = expect == "dunno" ? Expect::Dunno : Expect::Policyd;
    mix.disabled_every = std::stoi(arg(argc, argv, "disabled-every", "10"));
    mix.unknown_percent = std::stoi(arg(argc, argv, "unknown-percent", "10"));
    const long per_conn = requests / connections;

    Shared shared;
    const double cpu0 = server > 0 ? boxwarden::bench::process_cpu_seconds(server) : 0;
    const auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        const int mine = connections / threads + (t < connections % threads ? 1 : 0);
        ts.emplace_back(worker, target, mine, per_conn, warmup, mailboxes, domain, std::cref(mix),
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
    std::printf("unexpected replies: %ld%s%s\n", shared.unexpected,
                shared.unexpected ? ", first: " : "", shared.first_unexpected.c_str());
    return shared.errors == 0 && shared.unexpected == 0 ? 0 : 1;
}
