#pragma once
// The HTTP/1.1 listener (Boost.Beast, asynchronous, a few threads). Bounded:
// request body (413), header bytes and field count (431), time to send a
// whole request (slow clients are closed), idle keep-alive time, and the
// number of open connections (more are closed at once). The client address
// is the socket's peer, or X-Forwarded-For's last hop when that peer is a
// trusted proxy (client_address.h).
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "http_types.h"

namespace boxwarden::web {

struct ServerLimits {
    size_t max_body_bytes = 65536;
    size_t max_header_bytes = 16384;
    size_t max_header_fields = 64;
    size_t max_connections = 512;
    std::chrono::milliseconds request_timeout{10000};
    std::chrono::milliseconds keepalive_timeout{30000};
    int threads = 4;
    std::vector<std::string> trusted_proxies;  // canonical addresses (web_trusted_proxies)
};

using RequestHandler = std::function<Response(const Request&)>;

// Binds host:port (throws std::runtime_error naming the endpoint) and serves
// until SIGTERM or SIGINT. `on_ready` runs once the socket listens.
void serve_http(const std::string& host, int port, const ServerLimits& limits,
                const RequestHandler& handler, const std::function<void()>& on_ready);

}  // namespace boxwarden::web
