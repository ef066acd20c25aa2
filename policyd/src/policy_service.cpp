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

PolicyAnswer PolicyService::answer(const AttrRequest& request) const {
    const std::vector<AttrView> views = views_of(request);
    return answer(AttrRequestView{views});
}

PolicyAnswer PolicyService::answer(const AttrRequestView& request) const {
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
    if (verdict.kind != PolicyVerdictKind::Dunno) {
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
