#pragma once
// The answer to one Postfix policy request, as the server sends it: a
// verdict (written as `action=...`), or "close the connection" with a log
// line (malformed request).
#include <functional>
#include <string>

#include "boxwarden/attr_codec.h"
#include "boxwarden/policy_decision.h"

namespace boxwarden::policyd {

struct PolicyAnswer {
    PolicyVerdict verdict;
    bool close = false;
    std::string log;
};

// Appends the reply for a verdict to `out`: "action=<format_policy_action>\n\n"
// in the Raw policy encoding (CR, LF and NUL in the value become spaces),
// straight into the connection's output buffer.
void append_policy_reply(const PolicyVerdict& verdict, std::string& out);

// The request's views point into the connection's read buffer: valid for the call only.
using PolicyFn = std::function<PolicyAnswer(const AttrRequestView&)>;

}  // namespace boxwarden::policyd
