#pragma once
// Listening endpoints: "unix:/path" and "inet:127.0.0.1:PORT" (loopback
// only, by design), parsed from policy_listen / query_socket and bound
// before privileges are dropped.
#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden::policyd {

struct Endpoint {
    enum class Kind { Unix, Inet } kind = Kind::Unix;
    std::string path;  // Unix
    std::string host;  // Inet: a loopback address
    int port = 0;      // Inet
    std::string text() const;
};

class EndpointError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Parses a comma-separated list; throws EndpointError naming the bad entry.
std::vector<Endpoint> parse_endpoints(std::string_view list);

// Binds and listens (non-blocking, close-on-exec). A unix socket's parent
// folder is created when missing; a stale socket file is replaced, but one
// that still accepts connections (another daemon) is an error. owner and
// group of a unix socket are set unless -1. Throws std::system_error.
int bind_endpoint(const Endpoint& e, mode_t mode, uid_t owner, gid_t group);

}  // namespace boxwarden::policyd
