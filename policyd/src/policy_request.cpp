#include "policy_request.h"

#include <array>

namespace boxwarden::policyd {

std::variant<PolicyQuery, MalformedRequest> parse_policy_request(const AttrRequest& request) {
    const std::vector<AttrView> views = views_of(request);
    return parse_policy_request(AttrRequestView{views});
}

std::variant<PolicyQuery, MalformedRequest> parse_policy_request(const AttrRequestView& request) {
    // One pass over the attributes, keeping the first value of each name
    // that matters; the views point into the request (no copy yet).
    constexpr std::array<std::string_view, 5> kNames = {"request", "recipient", "sender",
                                                        "sasl_username", "protocol_state"};
    std::array<std::optional<std::string_view>, kNames.size()> found;
    for (const auto& [name, value] : request.attributes) {
        for (std::size_t i = 0; i < kNames.size(); ++i) {
            if (name == kNames[i] && !found[i]) {
                found[i] = value;
                break;
            }
        }
    }
    const auto& kind = found[0];
    if (!kind) return MalformedRequest{"policy request without a request attribute"};
    if (*kind != "smtpd_access_policy")
        return MalformedRequest{"unexpected policy request '" + sanitize_for_log(*kind, 64) + "'"};
    PolicyQuery q;
    // The attributes a verdict depends on must be text: an address with
    // invalid UTF-8 could otherwise be matched against something it is not.
    const std::array<std::string*, kNames.size()> targets = {nullptr, &q.recipient, &q.sender,
                                                             &q.sasl_username, &q.protocol_state};
    for (std::size_t i = 1; i < kNames.size(); ++i) {
        const auto& value = found[i];
        if (!value) continue;
        if (!is_valid_utf8(*value))
            return MalformedRequest{"invalid UTF-8 in " + std::string(kNames[i]) + ": " +
                                    sanitize_for_log(*value, 128)};
        // The only copy of a value: PolicyQuery (core/mail) owns its strings.
        targets[i]->assign(*value);
    }
    return q;
}

}  // namespace boxwarden::policyd
