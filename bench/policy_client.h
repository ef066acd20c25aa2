#pragma once
// A blocking Postfix-policy client for the benchmark tools: one connection,
// one request at a time, returns the reply's action text.
#include <string>

namespace boxwarden::bench {

class PolicyClient {
  public:
    explicit PolicyClient(std::string target) : target_(std::move(target)) {}
    ~PolicyClient();
    PolicyClient(const PolicyClient&) = delete;
    PolicyClient& operator=(const PolicyClient&) = delete;

    // The action of an RCPT-stage request for `recipient` ("" when the
    // server could not be reached or closed the connection; reconnects next time).
    std::string ask(const std::string& recipient);

  private:
    std::string target_;
    int fd_ = -1;
};

}  // namespace boxwarden::bench
