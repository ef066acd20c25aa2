#pragma once
// A client of the Postfix policy socket (Raw values), on the same
// Connection code as PolicydClient: for tests, benchmarks and probes.
// smtpd itself is the production client of this socket.
//
// Not thread-safe; never throws for I/O problems.
#include <chrono>
#include <string>

#include "boxwarden/attr_codec.h"
#include "boxwarden/client_connection.h"

namespace boxwarden::client {

struct PolicyResult {
    IoResult io;         // Ok, or why there is no action
    std::string action;  // the reply's action= value
    bool ok() const { return io.ok(); }
};

// An RCPT-stage request with the attributes smtpd sends (sender and
// sasl_username as given; empty sasl_username = not authenticated).
AttrList policy_rcpt_request(const std::string& recipient, const std::string& sender,
                             const std::string& sasl_username = "",
                             const std::string& instance = "probe");

class PolicyClient {
  public:
    PolicyClient(std::string target, std::chrono::milliseconds timeout);

    // One request, one action. A connection the daemon closed while idle
    // is reopened first; a request whose reply was lost is sent once more
    // (a policy look-up changes nothing, so repeating it is safe).
    PolicyResult ask(const AttrList& request);

    Connection& connection() { return conn_; }

  private:
    Connection conn_;
    std::chrono::milliseconds timeout_;
};

}  // namespace boxwarden::client
