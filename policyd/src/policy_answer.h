#pragma once
// The answer to one Postfix policy request, as the server sends it: a reply,
// or "close the connection" with a log line (malformed request).
#include <functional>
#include <string>

#include "boxwarden/attr_codec.h"

namespace boxwarden::policyd {

struct PolicyAnswer {
    AttrList reply;
    bool close = false;
    std::string log;
};

// The request's views point into the connection's read buffer: valid for the call only.
using PolicyFn = std::function<PolicyAnswer(const AttrRequestView&)>;

}  // namespace boxwarden::policyd
