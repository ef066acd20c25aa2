#include "boxwarden/policy_decision.h"

#include "boxwarden/address.h"

namespace boxwarden {

namespace {

std::string trimmed_lower(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return ascii_lowercase(s);
}

// One address as the look-ups see it: normalised the Postfix way
// (normalize_address), its domain (even when the local part is invalid), and
// the keys to try (full address first, then without the extension).
struct LookupAddress {
    std::string domain;                 // "" when there is no valid domain
    std::optional<MailAddress> parsed;  // nullopt when either half is invalid
    std::vector<std::string> keys;
};

LookupAddress lookup_address(std::string_view raw, std::string_view delimiters) {
    LookupAddress out;
    const std::string normalized = normalize_address(raw);
    const size_t at = normalized.rfind('@');
    if (at == std::string::npos) return out;
    std::string domain = normalized.substr(at + 1);
    if (!domain_problem(domain)) out.domain = std::move(domain);
    out.parsed = parse_mail_address(normalized);
    if (out.parsed) out.keys = mailbox_lookup_keys(*out.parsed, delimiters);
    return out;
}

struct FoundMailbox {
    std::string key;  // the look-up key that matched
    MailboxFacts facts;
};

// The first key that names a mailbox; nullopt when none does.
std::optional<FoundMailbox> find_mailbox(const LookupAddress& a, const DirectoryView& dir) {
    for (const std::string& key : a.keys)
        if (auto m = dir.mailbox(key)) return FoundMailbox{key, std::move(*m)};
    return std::nullopt;
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
    const LookupAddress a = lookup_address(recipient, delimiters);
    if (a.parsed) {
        out.address = a.keys.back();
        out.address_valid = true;
    }
    // Nothing the cache says can be trusted past the cutoff, not even which
    // domains are hosted: defer before looking.
    if (fresh.stale()) {
        out.decision = stale_decision(fresh, now);
        return out;
    }
    DeliveryFacts facts;
    facts.cache_age = fresh.effective_age();
    facts.cutoff = fresh.cutoff;
    facts.grace = dir.delivery_grace();
    // A hosted domain with an unusable local part is an unknown mailbox, not
    // someone else's business: Postfix would still deliver it somewhere.
    out.domain_hosted = !a.domain.empty() && dir.domain_hosted(a.domain);
    if (auto found = out.domain_hosted ? find_mailbox(a, dir) : std::nullopt) {
        out.address = found->key;
        out.mailbox = std::move(found->facts);
        facts.mailbox_known = true;
        facts.active = out.mailbox->active;
        facts.deactivated_at = out.mailbox->deactivated_at;
    }
    out.decision = decide_delivery(facts, now);
    return out;
}

std::optional<std::string> resolve_mailbox_address(std::string_view raw,
                                                   std::string_view delimiters,
                                                   const DirectoryView& dir) {
    const LookupAddress a = lookup_address(raw, delimiters);
    if (!a.parsed) return std::nullopt;
    if (auto found = find_mailbox(a, dir)) return found->key;
    return a.keys.back();
}

SenderCheck check_sender(std::string_view login, std::string_view sender,
                         std::string_view delimiters, const DirectoryView& dir) {
    const LookupAddress a = lookup_address(sender, delimiters);
    if (!a.parsed || !dir.domain_hosted(a.domain)) return SenderCheck::NotHostedMailbox;
    const auto mailbox = find_mailbox(a, dir);
    if (!mailbox) return SenderCheck::NotHostedMailbox;
    const std::string& address = mailbox->key;
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
