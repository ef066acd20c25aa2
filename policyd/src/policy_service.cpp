#include "policy_service.h"

#include <charconv>
#include <functional>

#include "logger.h"
#include "policy_request.h"

namespace boxwarden::policyd {

void append_policy_action(const PolicyVerdict& v, std::string& out) {
    switch (v.kind) {
        case PolicyVerdictKind::Dunno:
            out += "DUNNO";
            return;
        case PolicyVerdictKind::DeferIfPermit:
            out += "DEFER_IF_PERMIT ";
            break;
        case PolicyVerdictKind::Reject: {
            char code[16];
            const auto end = std::to_chars(code, code + sizeof code, v.smtp_code).ptr;
            out.append(code, end);
            out += ' ';
            break;
        }
    }
    out += v.enhanced_code;
    out += ' ';
    out += v.text.view();
}

std::string format_policy_action(const PolicyVerdict& v) {
    std::string out;
    append_policy_action(v, out);
    return out;
}

void append_policy_reply(const PolicyVerdict& v, std::string& out) {
    out += "action=";
    const std::size_t value = out.size();
    append_policy_action(v, out);
    // The Raw encoding's rule (encode_attributes): a value cannot carry a line break.
    for (std::size_t i = value; i < out.size(); ++i)
        if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0') out[i] = ' ';
    out += "\n\n";
}

namespace {

// "550 5.1.1 Mailbox unknown" -> "550 5.1.1": a small, fixed set of kinds.
std::string_view action_kind(std::string_view action) {
    const std::size_t first = action.find(' ');
    if (first == std::string_view::npos) return action.substr(0, 40);
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
    const auto decide = [&](const DirectoryView& view) {
        verdict = decide_policy(q, settings->recipient_delimiter, view, fresh, clock_.now());
    };
    // std::ref: a std::function holds a reference_wrapper without allocating
    // (the lambda's captures would not fit its small buffer).
    directory_.with_view(std::cref(decide));
    if (verdict.kind == PolicyVerdictKind::Dunno)
        return PolicyAnswer{std::move(verdict), false, {}};
    flush_log_summary();
    action_.clear();
    append_policy_action(verdict, action_);
    if (throttle_.admit(action_kind(action_), std::chrono::steady_clock::now())) {
        const auto instance = request.find("instance");
        log_info(
            "policy: " + sanitize_for_log(action_, 160) + " from=<" +
            sanitize_for_log(q.sender, 120) + "> to=<" + sanitize_for_log(q.recipient, 120) + ">" +
            (q.sasl_username.empty() ? ""
                                     : " sasl_username=" + sanitize_for_log(q.sasl_username, 64)) +
            (instance ? " instance=" + sanitize_for_log(*instance, 40) : ""));
    }
    return PolicyAnswer{std::move(verdict), false, {}};
}

}  // namespace boxwarden::policyd
