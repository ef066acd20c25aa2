#pragma once
// The milter's settings from /etc/boxwarden/boxwarden.conf
// (docs/configuration.md "boxwarden-milter").
#include <chrono>
#include <string>

#include "boxwarden/config.h"

namespace boxwarden::milter {

struct MilterOptions {
    std::string milter_socket;        // absolute path of the unix socket Postfix connects to
    std::string milter_socket_group;  // group of that socket ("" = the daemon's own)
    std::string query_socket;         // policyd's query socket
    std::chrono::milliseconds query_timeout{2000};
    bool enforce_header_from = true;
    std::string recipient_delimiter = "+";
    std::string run_user;
    std::chrono::milliseconds lookup_cache_ttl{1000};
    std::string metrics_listen;  // "" = no metrics listener

    // Throws ConfigError for a relative socket path or a metrics address
    // that is not loopback.
    static MilterOptions from_config(const Config& config);
};

}  // namespace boxwarden::milter
