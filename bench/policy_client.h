#pragma once
// The benchmark tools' Postfix-policy probe: an RCPT-stage request for one
// recipient on boxwarden_client's PolicyClient (one connection, reconnects).
#include <string>

#include "boxwarden/policy_client.h"

namespace boxwarden::bench {

class PolicyClient {
  public:
    explicit PolicyClient(std::string target) : client_(std::move(target), kTimeout) {}

    // The action of an RCPT-stage request for `recipient` ("" when the
    // server could not be reached or closed the connection; reconnects next time).
    std::string ask(const std::string& recipient);

  private:
    static constexpr std::chrono::seconds kTimeout{10};
    client::PolicyClient client_;
};

}  // namespace boxwarden::bench
