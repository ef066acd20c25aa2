#include "policy_client.h"

namespace boxwarden::bench {

std::string PolicyClient::ask(const std::string& recipient) {
    const client::PolicyResult r =
        client_.ask(client::policy_rcpt_request(recipient, "someone@example.org"));
    return r.ok() ? r.action : std::string();
}

}  // namespace boxwarden::bench
