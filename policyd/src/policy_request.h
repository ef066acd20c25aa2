#pragma once
// From a framed Postfix policy request to a PolicyQuery, or the reason the
// request is malformed (the connection is then logged and closed, and Postfix
// applies smtpd_policy_service_default_action). Unknown attributes are
// ignored, as SMTPD_POLICY_README requires of policy servers.
#include <string>
#include <variant>

#include "boxwarden/attr_codec.h"
#include "boxwarden/policy_decision.h"

namespace boxwarden::policyd {

struct MalformedRequest {
    std::string reason;  // safe to log (already sanitised)
};

std::variant<PolicyQuery, MalformedRequest> parse_policy_request(const AttrRequestView& request);
std::variant<PolicyQuery, MalformedRequest> parse_policy_request(const AttrRequest& request);

}  // namespace boxwarden::policyd
