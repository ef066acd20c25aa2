// boxwarden-policyd: the configuration authority (docs/policyd.md).
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>

#include "boxwarden/attr_codec.h"
#include "boxwarden/config.h"
#include "boxwarden/db.h"
#include "cache_refresher.h"
#include "daemon_options.h"
#include "db_ooo_claimer.h"
#include "endpoints.h"
#include "log_sink.h"
#include "log_writer.h"
#include "logger.h"
#include "mailbox_cache.h"
#include "ooo_claimer.h"
#include "policy_service.h"
#include "privileges.h"
#include "query_handler.h"
#include "runtime_settings.h"
#include "server.h"

using namespace boxwarden;
using namespace boxwarden::policyd;

namespace {

int block_signals_and_open_signalfd() {
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    // Blocked before any thread starts, so every thread inherits the mask and
    // only the event loop sees these signals (through the signalfd).
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

// Every client connection is a descriptor: allow as many as the hard limit.
void raise_descriptor_limit(std::size_t max_connections) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < max_connections + 64)
        log_warning("descriptor limit " + std::to_string(rl.rlim_cur) +
                    " is below max_connections + 64; raise LimitNOFILE");
}

int serve(const CommandLine& cl, const Config& config, const DaemonConfig& dc,
          const std::optional<RunUser>& run_user) {
    raise_descriptor_limit(static_cast<std::size_t>(config.get_int("max_connections")));
    const int signal_fd = block_signals_and_open_signalfd();
    if (signal_fd < 0) {
        log_error(std::string("signalfd: ") + std::strerror(errno));
        return kExitRuntime;
    }
    db::initialize_driver();

    const uid_t owner = run_user ? run_user->uid : static_cast<uid_t>(-1);
    const gid_t group = run_user ? run_user->gid : static_cast<gid_t>(-1);
    std::vector<Listener> listeners;
    std::vector<std::string> unix_paths;
    try {
        for (const Endpoint& e : dc.policy_endpoints) {
            listeners.push_back({bind_endpoint(e, dc.policy_socket_mode, owner, group),
                                 Protocol::Policy, e.text()});
            if (e.kind == Endpoint::Kind::Unix) unix_paths.push_back(e.path);
        }
        listeners.push_back({bind_endpoint(dc.query_endpoint, dc.query_socket_mode, owner, group),
                             Protocol::Query, dc.query_endpoint.text()});
        unix_paths.push_back(dc.query_endpoint.path);
        if (run_user) drop_privileges(*run_user);
    } catch (const std::exception& e) {
        log_error(std::string("cannot start: ") + e.what());
        return kExitRuntime;
    }
    for (const Listener& l : listeners) log_info("listening on " + l.name);
    if (run_user) log_info("running as user " + run_user->name);

    SystemClock clock;
    RuntimeSettingsHolder settings(RuntimeSettings::from_config(config));
    const db::ConnectionParams params = db::params_from_config(config);
    ServerStats stats;
    MailboxCache cache(clock);
    CacheRefresher refresher(cache, params, settings.get()->refresh_interval,
                             settings.get()->cutoff);

    LogWriterOptions log_options;
    log_options.spool_dir = config.get_string("spool_dir");
    log_options.log = [](const std::string& m) { log_info("log writer: " + m); };
    std::optional<LogWriter> writer;
    try {
        writer.emplace(params, log_options);
        writer->start();
    } catch (const std::exception& e) {
        log_error(std::string("cannot start the log writer: ") + e.what());
        return kExitRuntime;
    }
    LogWriterSink sink(*writer);
    const auto pool_size = static_cast<std::size_t>(config.get_int("db_pool_size"));
    db::ConnectionPool pool(params, pool_size);
    DbOooClaimer ooo(pool);
    QueryHandler query(
        QueryDeps{cache, sink, ooo, clock, settings, stats, std::chrono::steady_clock::now()});
    PolicyService policy(cache, clock, settings);

    refresher.start();
    log_info("started; refresh_interval " +
             std::to_string(settings.get()->refresh_interval.count()) + "ms, cutoff " +
             std::to_string(settings.get()->cutoff.count()) + "s");

    int rc = kExitOk;
    try {
        Server server(
            std::move(listeners), [&](const AttrRequestView& r) { return policy.answer(r); }, query,
            settings, stats, pool_size);
        server.run(signal_fd, [&] {
            try {
                const Config next = Config::load(cl.config_path);
                validate_daemon_config(next);
                RuntimeSettings s = RuntimeSettings::from_config(next);
                refresher.set_interval(s.refresh_interval);
                refresher.set_cutoff(s.cutoff);
                settings.set(std::move(s));
                log_info(
                    "SIGHUP: configuration reloaded (refresh_interval, cutoff, idle_timeout, "
                    "max_connections, recipient_delimiter); full cache reload requested; "
                    "other keys take effect at the next restart");
            } catch (const std::exception& e) {
                log_error(std::string("SIGHUP: configuration not reloaded: ") + e.what());
            }
            refresher.request_full_reload();
        });
    } catch (const std::exception& e) {
        log_error(std::string("event loop failed: ") + e.what());
        rc = kExitRuntime;
    }
    refresher.stop();
    writer->stop();
    for (const std::string& p : unix_paths) ::unlink(p.c_str());
    ::close(signal_fd);
    log_info("stopped");
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    CommandLine cl;
    try {
        cl = parse_command_line(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "boxwarden-policyd: " << e.what() << "\n" << usage_text();
        return kExitUsage;
    }
    if (cl.help) {
        std::cout << usage_text();
        return kExitOk;
    }
    std::optional<Config> config;
    DaemonConfig dc;
    std::optional<RunUser> run_user;
    try {
        config = Config::load(cl.config_path);
        dc = validate_daemon_config(*config);
        RuntimeSettings::from_config(*config);
        run_user = resolve_run_user(config->get_string("run_user"));
    } catch (const std::exception& e) {
        std::cerr << "boxwarden-policyd: " << e.what() << "\n";
        return kExitUsage;
    }
    if (cl.check_config) {
        std::cout << "boxwarden-policyd: configuration " << cl.config_path << " is valid\n";
        return kExitOk;
    }
    if (cl.foreground)
        log_to_stderr();
    else
        log_to_syslog("boxwarden-policyd");
    try {
        return serve(cl, *config, dc, run_user);
    } catch (const std::exception& e) {
        log_error(std::string("fatal: ") + e.what());
        return kExitRuntime;
    }
}
