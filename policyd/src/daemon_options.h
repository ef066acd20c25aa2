#pragma once
// Command line of boxwarden-policyd and the values checked before start.
#include <string>
#include <vector>

#include "boxwarden/config.h"
#include "endpoints.h"

namespace boxwarden::policyd {

// Exit codes (docs/policyd.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

struct CommandLine {
    std::string config_path;
    bool foreground = false;
    bool check_config = false;
    bool help = false;
    bool version = false;
};

// Throws std::invalid_argument with a usage message.
CommandLine parse_command_line(int argc, char** argv);
std::string usage_text();

// Everything policyd reads from the configuration at start, validated.
struct DaemonConfig {
    std::vector<Endpoint> policy_endpoints;
    Endpoint query_endpoint;
    unsigned policy_socket_mode = 0660;
    unsigned query_socket_mode = 0660;
    std::string policy_socket_group;  // empty: the daemon's own group
    std::string query_socket_group;
};

// Throws ConfigError naming the key.
DaemonConfig validate_daemon_config(const Config& config);

}  // namespace boxwarden::policyd
