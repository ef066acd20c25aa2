#include "milter_options.h"

#include "boxwarden/metrics_http.h"

namespace boxwarden::milter {

MilterOptions MilterOptions::from_config(const Config& config) {
    MilterOptions o;
    o.milter_socket = config.get_string("milter_socket");
    if (o.milter_socket.rfind("unix:", 0) == 0) o.milter_socket.erase(0, 5);
    if (o.milter_socket.empty() || o.milter_socket.front() != '/')
        throw ConfigError("milter_socket: must be an absolute path of a unix socket, not '" +
                          o.milter_socket + "'");
    o.milter_socket_group = config.get_string("milter_socket_group");
    o.query_socket = config.get_string("query_socket");
    o.query_timeout = config.get_duration("milter_query_timeout");
    o.enforce_header_from = config.get_bool("milter_enforce_header_from");
    o.recipient_delimiter = config.get_string("recipient_delimiter");
    o.run_user = config.get_string("run_user");
    o.lookup_cache_ttl = config.get_duration("milter_lookup_cache_ttl");
    o.metrics_listen = config.get_string("milter_metrics_listen");
    if (!o.metrics_listen.empty()) parse_metrics_listen("milter_metrics_listen", o.metrics_listen);
    return o;
}

}  // namespace boxwarden::milter
