// boxwarden-policyd: the configuration authority (docs/policyd.md).
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>

#include "boxwarden/attr_codec.h"
#include "boxwarden/config.h"
#include "boxwarden/db.h"
#include "boxwarden/metrics_http.h"
#include "cache_refresher.h"
#include "config_exposure.h"
#include "daemon_options.h"
#include "db_ooo_claimer.h"
#include "endpoints.h"
#include "log_sink.h"
#include "log_writer.h"
#include "logger.h"
#include "mailbox_cache.h"
#include "metrics_exposition.h"
#include "ooo_claimer.h"
#include "peer_access.h"
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

gid_t socket_group(const std::string& key, const std::string& name) {
    if (name.empty()) return static_cast<gid_t>(-1);
    const auto gid = group_id(name);
    if (!gid) throw std::runtime_error(key + ": group '" + name + "' does not exist");
    return *gid;
}

// A bound unix socket, removed at exit only while it is still ours.
struct BoundSocket {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
};

void remove_sockets(const std::vector<BoundSocket>& sockets, const std::optional<RunUser>& user) {
    for (const BoundSocket& b : sockets) {
        struct stat st {};
        if (::lstat(b.path.c_str(), &st) != 0) continue;  // already gone
        if (st.st_dev != b.dev || st.st_ino != b.ino) {
            log_info("socket " + b.path + " was replaced by another; left in place");
            continue;
        }
        if (::unlink(b.path.c_str()) != 0)
            log_warning("cannot remove socket " + b.path + ": " + std::strerror(errno) +
                        (user ? " (its folder is not writable by run_user " + user->name + ")"
                              : std::string()) +
                        "; the next start replaces it");
    }
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
    std::vector<Listener> listeners;
    std::vector<BoundSocket> unix_sockets;
    auto remember = [&](const Endpoint& e) {
        struct stat st {};
        if (e.kind == Endpoint::Kind::Unix && ::lstat(e.path.c_str(), &st) == 0)
            unix_sockets.push_back({e.path, st.st_dev, st.st_ino});
    };
    try {
        const gid_t policy_group = socket_group("policy_socket_group", dc.policy_socket_group);
        const gid_t query_group = socket_group("query_socket_group", dc.query_socket_group);
        for (const Endpoint& e : dc.policy_endpoints) {
            listeners.push_back({bind_endpoint(e, dc.policy_socket_mode, owner, policy_group),
                                 Protocol::Policy, e.text(), e.kind == Endpoint::Kind::Unix});
            remember(e);
            if (e.kind == Endpoint::Kind::Inet)
                log_warning(e.text() +
                            ": every local user can connect to an inet listener (no peer "
                            "check); prefer unix sockets");
        }
        listeners.push_back(
            {bind_endpoint(dc.query_endpoint, dc.query_socket_mode, owner, query_group),
             Protocol::Query, dc.query_endpoint.text(), true});
        remember(dc.query_endpoint);
        if (run_user) drop_privileges(*run_user);
    } catch (const std::exception& e) {
        log_error(std::string("cannot start: ") + e.what());
        return kExitRuntime;
    }
    for (const Listener& l : listeners) log_info("listening on " + l.name);
    if (run_user) log_info("running as user " + run_user->name);
    if (!config.get_string("db_password").empty()) {
        if (auto problem = config_file_exposure(cl.config_path, run_user ? run_user->name : "",
                                                run_user ? run_user->gid : ::getegid()))
            log_warning(
                "configuration file " + cl.config_path + " holds db_password and " + *problem +
                "; make it 0640 root:" + (run_user ? run_user->name : std::string("<run_user>")));
    }

    SystemClock clock;
    RuntimeSettingsHolder settings(RuntimeSettings::from_config(config));
    const db::ConnectionParams params = db::params_from_config(config);
    ServerStats stats;
    MailboxCache cache(clock);
    for (const std::string& w : settings.get()->warnings) log_warning(w);
    CacheRefresher refresher(cache, params, settings.get()->refresh_interval,
                             settings.get()->cutoff, settings.get()->full_reload_interval);

    LogWriterOptions log_options;
    log_options.spool_dir = config.get_string("spool_dir");
    log_options.log = [](const std::string& m) { log_info(m); };  // lines carry their own prefix
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
    std::unique_ptr<MetricsHttpServer> metrics;
    if (const std::string listen = config.get_string("metrics_listen"); !listen.empty()) {
        try {
            metrics = std::make_unique<MetricsHttpServer>(
                parse_metrics_listen("metrics_listen", listen),
                [&] {
                    return policyd_metrics_text(query.handle(AttrRequest{{{"request", "status"}}}),
                                                stats);
                },
                [](const std::string& m) { log_warning(m); });
            metrics->serve();
            log_info("metrics on http://" + listen + "/metrics");
        } catch (const std::exception& e) {
            log_error(std::string("cannot start: ") + e.what());
            return kExitRuntime;
        }
    }

    refresher.start();
    log_info("started; refresh_interval " +
             std::to_string(settings.get()->refresh_interval.count()) + "ms, cutoff " +
             std::to_string(settings.get()->cutoff.count()) + "s, full_reload_interval " +
             std::to_string(settings.get()->full_reload_interval.count()) + "ms");

    int rc = kExitOk;
    try {
        Server server(
            std::move(listeners), [&](const AttrRequestView& r) { return policy.answer(r); }, query,
            settings, stats, pool_size);
        server.set_tick([&] { policy.flush_log_summary(); });
        server.run(signal_fd, [&] {
            try {
                const Config next = Config::load(cl.config_path);
                validate_daemon_config(next);
                RuntimeSettings s = RuntimeSettings::from_config(next);
                refresher.set_interval(s.refresh_interval);
                refresher.set_cutoff(s.cutoff);
                refresher.set_full_reload_interval(s.full_reload_interval);
                for (const std::string& w : s.warnings) log_warning("SIGHUP: " + w);
                settings.set(std::move(s));
                log_info(
                    "SIGHUP: configuration reloaded (refresh_interval, cutoff, "
                    "full_reload_interval, "
                    "idle_timeout, request_timeout, max_connections, max_connections_per_uid, "
                    "policy_allowed_users, query_allowed_users, recipient_delimiter); full "
                    "cache reload requested; "
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
    if (metrics) metrics->stop();
    refresher.stop();
    writer->stop();
    remove_sockets(unix_sockets, run_user);
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
    if (cl.version) {
        std::cout << "boxwarden-policyd " << BOXWARDEN_VERSION << "\n";
        return kExitOk;
    }
    std::optional<Config> config;
    DaemonConfig dc;
    std::optional<RunUser> run_user;
    try {
        config = Config::load(cl.config_path);
        dc = validate_daemon_config(*config);
        RuntimeSettings::from_config(*config);
        if (const std::string m = config->get_string("metrics_listen"); !m.empty())
            parse_metrics_listen("metrics_listen", m);
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
