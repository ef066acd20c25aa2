#include "boxwarden/policy_decision.h"

#include "boxwarden/address.h"

namespace boxwarden {

namespace {

std::string trimmed_lower(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return ascii_lowercase(s);
}

// A hosted lookup key: normalised, extension removed, valid, or nullopt.
std::optional<MailAddress> lookup_address(std::string_view raw, std::string_view delimiters) {
    const std::string normalized = normalize_address(raw);
    if (normalized.empty()) return std::nullopt;
    return parse_mail_address(strip_address_extension(normalized, delimiters));
}

DeliveryDecision stale_decision(const Freshness& fresh, TimePoint now) {
    DeliveryFacts facts;
    facts.cache_age = fresh.effective_age();
    facts.cutoff = fresh.cutoff;
    return decide_delivery(facts, now);
}

PolicyVerdict reject(int code, std::string enhanced, std::string text) {
    return PolicyVerdict{PolicyVerdictKind::Reject, code, std::move(enhanced), std::move(text)};
}

PolicyVerdict defer(const DeliveryDecision& d) {
    return PolicyVerdict{PolicyVerdictKind::DeferIfPermit, d.smtp_code, std::string(d.enhanced),
                         std::string(d.text)};
}

}  // namespace

RecipientVerdict evaluate_recipient(std::string_view recipient, std::string_view delimiters,
                                    const DirectoryView& dir, const Freshness& fresh,
                                    TimePoint now) {
    RecipientVerdict out;
    // Nothing the cache says can be trusted past the cutoff, not even which
    // domains are hosted: defer before looking.
    if (fresh.stale()) {
        out.decision = stale_decision(fresh, now);
        if (auto parsed = lookup_address(recipient, delimiters)) {
            out.address = parsed->str();
            out.address_valid = true;
        }
        return out;
    }
    DeliveryFacts facts;
    facts.cache_age = fresh.effective_age();
    facts.cutoff = fresh.cutoff;
    facts.grace = dir.delivery_grace();
    auto parsed = lookup_address(recipient, delimiters);
    if (parsed) {
        out.address = parsed->str();
        out.address_valid = true;
        out.domain_hosted = dir.domain_hosted(parsed->domain);
        if (out.domain_hosted) out.mailbox = dir.mailbox(out.address);
    }
    if (out.mailbox) {
        facts.mailbox_known = true;
        facts.active = out.mailbox->active;
        facts.deactivated_at = out.mailbox->deactivated_at;
    }
    out.decision = decide_delivery(facts, now);
    return out;
}

SenderCheck check_sender(std::string_view login, std::string_view sender,
                         std::string_view delimiters, const DirectoryView& dir) {
    auto parsed = lookup_address(sender, delimiters);
    if (!parsed || !dir.domain_hosted(parsed->domain)) return SenderCheck::NotHostedMailbox;
    const std::string address = parsed->str();
    if (!dir.mailbox(address)) return SenderCheck::NotHostedMailbox;
    const std::string who = trimmed_lower(login);
    if (who == address) return SenderCheck::Allowed;
    if (dir.assigned(who, address)) return SenderCheck::Allowed;
    return SenderCheck::NotPermitted;
}

PolicyVerdict decide_policy(const PolicyQuery& query, std::string_view delimiters,
                            const DirectoryView& dir, const Freshness& fresh, TimePoint now) {
    const PolicyVerdict dunno;
    // Only the recipient stage carries a verdict; smtpd asks the same service
    // at other stages only when an operator lists it there.
    if (trimmed_lower(query.protocol_state) != "rcpt") return dunno;

    if (fresh.stale()) {
        const DeliveryDecision d = stale_decision(fresh, now);
        return defer(d);
    }

    if (!trimmed_lower(query.sasl_username).empty()) {
        // smtpd puts "<recipient>: Recipient address rejected: " in front of
        // the text (the check runs among the recipient restrictions), so
        // the text names the sender itself.
        const std::string shown = normalize_address(query.sender);
        switch (check_sender(query.sasl_username, query.sender, delimiters, dir)) {
            case SenderCheck::Allowed:
                break;
            case SenderCheck::NotHostedMailbox:
                return reject(553, "5.7.1",
                              "Sender address <" + shown + "> is not a mailbox hosted here");
            case SenderCheck::NotPermitted:
                return reject(
                    553, "5.7.1",
                    "Sender address <" + shown + "> is not owned by the authenticated login");
        }
    }

    const RecipientVerdict r = evaluate_recipient(query.recipient, delimiters, dir, fresh, now);
    if (!r.domain_hosted) return dunno;
    switch (r.decision.verdict) {
        case DeliveryVerdict::Deliver:
            return dunno;
        case DeliveryVerdict::RejectUnknown:
        case DeliveryVerdict::RejectDisabled:
            // smtpd adds "<recipient>: Recipient address rejected: ".
            return reject(r.decision.smtp_code, std::string(r.decision.enhanced),
                          std::string(r.decision.text));
        case DeliveryVerdict::Tempfail:
            break;
    }
    return defer(r.decision);
}

}  // namespace boxwarden
