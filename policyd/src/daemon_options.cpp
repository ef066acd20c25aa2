#include "daemon_options.h"

#include <stdexcept>
#include <string_view>

namespace boxwarden::policyd {

namespace {

unsigned parse_mode(const Config& config, std::string_view key) {
    const std::string v = config.get_string(key);
    if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
        throw ConfigError(config.origin() + ": key '" + std::string(key) +
                          "': expected an octal mode like 0660, got '" + v + "'");
    return static_cast<unsigned>(std::stoul(v, nullptr, 8));
}

}  // namespace

std::string usage_text() {
    return "usage: boxwarden-policyd [--config FILE] [--foreground] [--check-config]\n"
           "       boxwarden-policyd --version | --help\n"
           "  --config FILE   configuration file (default /etc/boxwarden/boxwarden.conf)\n"
           "  --foreground    log to stderr instead of syslog (the daemon never forks)\n"
           "  --check-config  validate the configuration and exit (0 = valid, 2 = not)\n"
           "  --version       print \"boxwarden-policyd VERSION\" and exit\n";
}

CommandLine parse_command_line(int argc, char** argv) {
    CommandLine cl;
    cl.config_path = std::string(kDefaultConfigPath);
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--config" || a == "-c") {
            if (i + 1 >= argc) throw std::invalid_argument("--config needs a file name");
            cl.config_path = argv[++i];
        } else if (a.starts_with("--config=")) {
            cl.config_path = std::string(a.substr(9));
        } else if (a == "--foreground" || a == "-f") {
            cl.foreground = true;
        } else if (a == "--check-config") {
            cl.check_config = true;
        } else if (a == "--help" || a == "-h") {
            cl.help = true;
        } else if (a == "--version") {
            cl.version = true;
        } else {
            throw std::invalid_argument("unknown option '" + std::string(a) + "'");
        }
    }
    return cl;
}

DaemonConfig validate_daemon_config(const Config& config) {
    DaemonConfig d;
    try {
        d.policy_endpoints = parse_endpoints(config.get_string("policy_listen"));
    } catch (const EndpointError& e) {
        throw ConfigError(config.origin() + ": key 'policy_listen': " + e.what());
    }
    const std::string query = config.get_string("query_socket");
    try {
        auto q = parse_endpoints("unix:" + query);
        d.query_endpoint = q.front();
    } catch (const EndpointError& e) {
        throw ConfigError(config.origin() + ": key 'query_socket': " + e.what());
    }
    for (const Endpoint& e : d.policy_endpoints)
        if (e.kind == Endpoint::Kind::Unix && e.path == d.query_endpoint.path)
            throw ConfigError(config.origin() +
                              ": policy_listen and query_socket name the same socket");
    if (config.get_string("spool_dir").empty())
        throw ConfigError(config.origin() + ": key 'spool_dir' must not be empty");
    d.policy_socket_mode = parse_mode(config, "policy_socket_mode");
    d.query_socket_mode = parse_mode(config, "query_socket_mode");
    d.policy_socket_group = config.get_string("policy_socket_group");
    d.query_socket_group = config.get_string("query_socket_group");
    // A full reload is what catches edits that bypass change_log; it must
    // come round before the cache may be that old.
    if (config.get_duration("full_reload_interval") >= config.get_duration("cutoff"))
        throw ConfigError(config.origin() +
                          ": key 'full_reload_interval' must be shorter than 'cutoff'");
    return d;
}

}  // namespace boxwarden::policyd
