#include "policy_service.h"

#include "logger.h"
#include "policy_request.h"

namespace boxwarden::policyd {

std::string format_policy_action(const PolicyVerdict& v) {
    switch (v.kind) {
        case PolicyVerdictKind::Dunno:
            return "DUNNO";
        case PolicyVerdictKind::DeferIfPermit:
            return "DEFER_IF_PERMIT " + v.enhanced_code + " " + v.text;
        case PolicyVerdictKind::Reject:
            break;
    }
    return std::to_string(v.smtp_code) + " " + v.enhanced_code + " " + v.text;
}

namespace {

// "550 5.1.1 Mailbox unknown" -> "550 5.1.1": a small, fixed set of kinds.
std::string action_kind(const std::string& action) {
    const std::size_t first = action.find(' ');
    if (first == std::string::npos) return action.substr(0, 40);
    const std::size_t second = action.find(' ', first + 1);
    return action.substr(0, std::min<std::size_t>(second, 40));
}

}  // namespace

void PolicyService::flush_log_summary() {
    if (auto s = throttle_.take_summary(std::chrono::steady_clock::now()))
        log_info("policy: not logged in the last window (rate limit): " + *s);
}

PolicyAnswer PolicyService::answer(const AttrRequest& request) {
    const std::vector<AttrView> views = views_of(request);
    return answer(AttrRequestView{views});
}

PolicyAnswer PolicyService::answer(const AttrRequestView& request) {
    auto parsed = parse_policy_request(request);
    if (auto* bad = std::get_if<MalformedRequest>(&parsed))
        return PolicyAnswer{{}, true, "malformed policy request: " + bad->reason};
    const PolicyQuery& q = std::get<PolicyQuery>(parsed);
    const auto settings = settings_.get();
    const Freshness fresh = directory_.freshness(settings->cutoff);
    PolicyVerdict verdict;
    directory_.with_view([&](const DirectoryView& view) {
        verdict = decide_policy(q, settings->recipient_delimiter, view, fresh, clock_.now());
    });
    std::string action = format_policy_action(verdict);
    if (verdict.kind != PolicyVerdictKind::Dunno) flush_log_summary();
    if (verdict.kind != PolicyVerdictKind::Dunno &&
        throttle_.admit(action_kind(action), std::chrono::steady_clock::now())) {
        const auto instance = request.find("instance");
        log_info(
            "policy: " + sanitize_for_log(action, 160) + " from=<" +
            sanitize_for_log(q.sender, 120) + "> to=<" + sanitize_for_log(q.recipient, 120) + ">" +
            (q.sasl_username.empty() ? ""
                                     : " sasl_username=" + sanitize_for_log(q.sasl_username, 64)) +
            (instance ? " instance=" + sanitize_for_log(*instance, 40) : ""));
    }
    return PolicyAnswer{{{"action", std::move(action)}}, false, {}};
}

}  // namespace boxwarden::policyd
