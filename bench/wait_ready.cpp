// Startup time of a policy server: polls until a request for RECIPIENT gets
// an action starting with EXPECT, then prints the milliseconds waited.
// Usage: bench_wait_ready --target T --recipient R [--expect DUNNO] [--timeout 300]
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench_util.h"
#include "policy_client.h"

int main(int argc, char** argv) {
    using boxwarden::bench::arg;
    const std::string target = arg(argc, argv, "target", "");
    const std::string recipient = arg(argc, argv, "recipient", "");
    const std::string expect = arg(argc, argv, "expect", "DUNNO");
    const int timeout = std::stoi(arg(argc, argv, "timeout", "300"));
    if (target.empty() || recipient.empty()) {
        std::fprintf(stderr, "usage: bench_wait_ready --target T --recipient R [--expect DUNNO]\n");
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto until = t0 + std::chrono::seconds(timeout);
    std::string last;
    while (std::chrono::steady_clock::now() < until) {
        boxwarden::bench::PolicyClient client(target);
        last = client.ask(recipient);
        if (last.starts_with(expect)) {
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            std::printf("%.0f\n", ms);
            return 0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::fprintf(stderr, "no '%s' within %d s (last reply: '%s')\n", expect.c_str(), timeout,
                 last.c_str());
    return 1;
}
