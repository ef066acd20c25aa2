#pragma once
// Failed-login throttle: the decision from the counted failures (pure; the
// counts come from web_login_failure, shared by every web host).
#include <string>

namespace boxwarden::web {

struct ThrottleLimits {
    long per_account = 5;
    long per_address = 20;
};

enum class ThrottleVerdict { Allow, AccountThrottled, AddressThrottled };

// Failures counted within the window before this attempt.
ThrottleVerdict decide_login_throttle(long account_failures, long address_failures,
                                      const ThrottleLimits& limits);

// The one log line per failed or throttled login (fail2ban: docs/web.md,
// web/share/fail2ban/boxwarden-web.conf). The address comes first so a login
// name cannot imitate it; the name is made printable.
std::string login_failure_log_line(const std::string& client_address, const std::string& login,
                                   ThrottleVerdict verdict);

}  // namespace boxwarden::web
