#pragma once
// Answers one Postfix policy request from the cache: parse, decide, and log
// every refusal or deferral (one sanitised line); malformed requests become
// "close the connection".
#include "boxwarden/clock.h"
#include "boxwarden/directory.h"
#include "boxwarden/policy_decision.h"
#include "policy_answer.h"
#include "runtime_settings.h"

namespace boxwarden::policyd {

// The `action=` value for a verdict: "DUNNO", "DEFER_IF_PERMIT 4.3.0 text"
// or "550 5.1.1 text" (docs/protocol.md, Postfix policy socket).
std::string format_policy_action(const PolicyVerdict& verdict);

class PolicyService {
  public:
    PolicyService(const DirectorySource& directory, const Clock& clock,
                  const RuntimeSettingsHolder& settings)
        : directory_(directory), clock_(clock), settings_(settings) {}

    PolicyAnswer answer(const AttrRequestView& request) const;
    PolicyAnswer answer(const AttrRequest& request) const;

  private:
    const DirectorySource& directory_;
    const Clock& clock_;
    const RuntimeSettingsHolder& settings_;
};

}  // namespace boxwarden::policyd
