#include "policy_request.h"

namespace boxwarden::policyd {

std::variant<PolicyQuery, MalformedRequest> parse_policy_request(const AttrRequest& request) {
    const auto kind = request.find("request");
    if (!kind) return MalformedRequest{"policy request without a request attribute"};
    if (*kind != "smtpd_access_policy")
        return MalformedRequest{"unexpected policy request '" + sanitize_for_log(*kind, 64) + "'"};
    PolicyQuery q;
    // The attributes a verdict depends on must be text: an address with
    // invalid UTF-8 could otherwise be matched against something it is not.
    for (auto [name, target] :
         {std::pair{"recipient", &q.recipient}, std::pair{"sender", &q.sender},
          std::pair{"sasl_username", &q.sasl_username},
          std::pair{"protocol_state", &q.protocol_state}}) {
        const auto value = request.find(name);
        if (!value) continue;
        if (!is_valid_utf8(*value))
            return MalformedRequest{std::string("invalid UTF-8 in ") + name + ": " +
                                    sanitize_for_log(*value, 128)};
        *target = std::string(*value);
    }
    return q;
}

}  // namespace boxwarden::policyd
