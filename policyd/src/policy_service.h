#pragma once
// Answers one Postfix policy request from the cache: parse, decide, and log
// refusals and deferrals (one sanitised line each, rate-limited per kind so
// one client cannot flood the log; flush_log_summary reports what was left
// out); malformed requests become "close the connection". Event loop only.
#include "boxwarden/clock.h"
#include "boxwarden/directory.h"
#include "boxwarden/policy_decision.h"
#include "log_throttle.h"
#include "policy_answer.h"
#include "runtime_settings.h"

namespace boxwarden::policyd {

// The `action=` value for a verdict: "DUNNO", "DEFER_IF_PERMIT 4.3.0 text"
// or "550 5.1.1 text" (docs/protocol.md, Postfix policy socket).
std::string format_policy_action(const PolicyVerdict& verdict);
// The same, appended to `out`.
void append_policy_action(const PolicyVerdict& verdict, std::string& out);

class PolicyService {
  public:
    // log_throttle: how many refusal lines per kind and window are logged.
    PolicyService(const DirectorySource& directory, const Clock& clock,
                  const RuntimeSettingsHolder& settings,
                  LogThrottle log_throttle = LogThrottle{20, std::chrono::seconds(10)})
        : directory_(directory), clock_(clock), settings_(settings), throttle_(log_throttle) {}

    PolicyAnswer answer(const AttrRequestView& request);
    PolicyAnswer answer(const AttrRequest& request);
    // Logs one summary line when lines were suppressed in the last window.
    void flush_log_summary();

  private:
    const DirectorySource& directory_;
    const Clock& clock_;
    const RuntimeSettingsHolder& settings_;
    LogThrottle throttle_;
    std::string action_;  // the last refusal's action, for its log line (capacity reused)
};

}  // namespace boxwarden::policyd
