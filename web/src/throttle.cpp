#include "throttle.h"

namespace boxwarden::web {

ThrottleVerdict decide_login_throttle(long account_failures, long address_failures,
                                      const ThrottleLimits& limits) {
    if (address_failures >= limits.per_address) return ThrottleVerdict::AddressThrottled;
    if (account_failures >= limits.per_account) return ThrottleVerdict::AccountThrottled;
    return ThrottleVerdict::Allow;
}

std::string login_failure_log_line(const std::string& client_address, const std::string& login,
                                   ThrottleVerdict verdict) {
    std::string name;
    for (unsigned char c : login.substr(0, 64)) {
        if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
            static const char* digits = "0123456789abcdef";
            name += "\\x";
            name += digits[c >> 4];
            name += digits[c & 15];
        } else {
            name += static_cast<char>(c);
        }
    }
    std::string line = "login failed from ";
    line += client_address;
    line += " for admin '";
    line += name;
    line += "'";
    if (verdict == ThrottleVerdict::AccountThrottled)
        line += " (throttled: too many failures of this account)";
    if (verdict == ThrottleVerdict::AddressThrottled)
        line += " (throttled: too many failures from this address)";
    return line;
}

}  // namespace boxwarden::web
