// Helper for the crash test: streams events through a LogWriter from a few
// threads and prints each acknowledged event id (one write(2) per line, so a
// SIGKILL never leaves a torn line in the pipe). Never stops by itself
// cleanly: the test kills it.
// Usage: log_spool_child SOCKET DATABASE SPOOL_DIR PREFIX COUNT THREADS
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "log_writer.h"

using namespace boxwarden;

int main(int argc, char** argv) {
    if (argc != 7) {
        std::cerr << "usage: log_spool_child SOCKET DATABASE SPOOL_DIR PREFIX COUNT THREADS\n";
        return 2;
    }
    db::ConnectionParams params;
    params.socket = argv[1];
    params.database = argv[2];
    params.user = "root";
    policyd::LogWriterOptions options;
    options.spool_dir = argv[3];
    options.max_batch = 50;
    options.max_batch_delay = std::chrono::milliseconds(5);
    options.retry_interval = std::chrono::milliseconds(100);
    options.segment_max_bytes = 64 * 1024;  // rotate often: kills land near rotations too
    const std::string prefix = argv[4];
    const int count = std::atoi(argv[5]);
    const int threads = std::atoi(argv[6]);

    policyd::LogWriter writer(params, options);
    writer.start();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = t; i < count; i += threads) {
                policyd::ActivityEvent e;
                e.event_id = prefix + "-" + std::to_string(i);
                e.mailbox_address = "info@example.de";
                e.direction = "received";
                e.occurred_at = boxwarden::wall_clock_now();
                e.message_id = "<" + e.event_id + "@example.org>";
                e.sender = "someone@example.org";
                e.recipients = "info@example.de";
                e.subject = "crash test " + std::to_string(i);
                if (!writer.submit(e)) continue;
                const std::string line = e.event_id + "\n";
                (void)!::write(1, line.data(), line.size());
            }
        });
    for (auto& w : workers) w.join();
    // Finished before the kill: linger so the test's SIGKILL still hits a
    // live process (and possibly a batch in flight).
    for (;;) ::pause();
}
