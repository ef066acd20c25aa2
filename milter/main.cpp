// boxwarden-milter: email names, header-From ownership and the "sent"
// activity log for authenticated submissions (docs/milter.md).
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "boxwarden/config.h"
#include "boxwarden/metrics_http.h"
#include "libmilter_glue.h"
#include "milter_options.h"
#include "run_as.h"

using namespace boxwarden;
using namespace boxwarden::milter;

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitConfig = 78;
constexpr int kExitRuntime = 70;

void usage(std::ostream& out) {
    out << "usage: boxwarden-milter [-c CONFIG] [--run-user USER]\n"
           "       boxwarden-milter --version | --help\n"
           "  -c CONFIG        configuration file (default "
        << kDefaultConfigPath
        << ")\n"
           "  --run-user USER  user to switch to instead of run_user (empty: stay)\n"
           "  --version        print \"boxwarden-milter VERSION\" and exit\n"
           "  -h, --help       print this text and exit\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path(kDefaultConfigPath);
    std::optional<std::string> run_user;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "-c" || arg == "--config") && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg == "--run-user" && i + 1 < argc) {
            run_user = argv[++i];
        } else if (arg == "-h" || arg == "--help") {
            usage(std::cout);
            return 0;
        } else if (arg == "--version") {
            std::cout << "boxwarden-milter " << BOXWARDEN_VERSION << "\n";
            return 0;
        } else {
            std::cerr << "boxwarden-milter: unknown argument '" << arg << "'\n";
            usage(std::cerr);
            return kExitUsage;
        }
    }
    MilterOptions options;
    try {
        options = MilterOptions::from_config(Config::load(config_path));
        if (run_user) options.run_user = *run_user;
    } catch (const std::exception& e) {
        log_line(std::string("configuration: ") + e.what());
        return kExitConfig;
    }
    ::signal(SIGPIPE, SIG_IGN);
    std::unique_ptr<MetricsHttpServer> metrics;
    try {
        open_milter_socket(options);
        if (!options.metrics_listen.empty()) {
            // Bound before dropping root; served by its own thread.
            metrics = std::make_unique<MetricsHttpServer>(
                parse_metrics_listen("milter_metrics_listen", options.metrics_listen), metrics_text,
                log_line);
            metrics->serve();
            log_line("metrics on http://" + options.metrics_listen + "/metrics");
        }
        const std::string switched = drop_root_to(options.run_user);
        log_line("listening on unix:" + options.milter_socket + ", policyd at " +
                 options.query_socket + (switched.empty() ? "" : ", " + switched));
    } catch (const std::exception& e) {
        log_line(std::string("cannot start: ") + e.what());
        return kExitRuntime;
    }
    // libmilter stops its loop on SIGTERM, SIGINT and SIGHUP.
    const int rc = run_milter_loop();
    if (metrics) metrics->stop();
    if (::unlink(options.milter_socket.c_str()) != 0 && errno != ENOENT)
        log_line("socket " + options.milter_socket + " left in place: " + std::strerror(errno));
    log_line("stopped");
    return rc == 0 ? 0 : kExitRuntime;
}
