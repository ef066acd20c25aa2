#include "boxwarden/policy_decision.h"

#include "boxwarden/address.h"

namespace boxwarden {

namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool equals_ascii_lowercase(std::string_view s, std::string_view lower) {
    if (s.size() != lower.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = (s[i] >= 'A' && s[i] <= 'Z') ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
        if (c != lower[i]) return false;
    }
    return true;
}

// Scratch text for the look-ups, reused so that a steady stream of requests
// allocates nothing here. thread_local: policyd answers policy requests on
// its one event-loop thread, and each query worker gets its own set.
struct LookupBuffers {
    std::string normalized;  // normalize_address(raw)
    std::string parsed;      // normalize_address(normalized): what the keys are made of
    std::string stripped;    // the second key: without the extension
    std::string login;       // check_sender's login, trimmed and lowercased
};

LookupBuffers& lookup_buffers() {
    thread_local LookupBuffers buffers;
    return buffers;
}

// One address as the look-ups see it: normalised the Postfix way
// (normalize_address), its domain (even when the local part is invalid), and
// the keys to try (full address first, then without the extension), as
// mailbox_lookup_keys(parse_mail_address(normalized)) has them. The views
// point into lookup_buffers(): valid until the next lookup_address.
struct LookupAddress {
    std::string_view domain;  // "" when there is no valid domain
    bool parsed = false;      // false when either half is invalid
    std::string_view keys[2];
    std::size_t key_count = 0;
};

LookupAddress lookup_address(std::string_view raw, std::string_view delimiters) {
    LookupAddress out;
    LookupBuffers& b = lookup_buffers();
    normalize_address_into(raw, b.normalized);
    const std::string_view normalized = b.normalized;
    const size_t at = normalized.rfind('@');
    if (at == std::string::npos) return out;
    const std::string_view domain = normalized.substr(at + 1);
    if (!domain_problem(domain)) out.domain = domain;
    // parse_mail_address normalises once more (it takes a raw address).
    normalize_address_into(normalized, b.parsed);
    const std::string_view full = b.parsed;
    const size_t parsed_at = full.rfind('@');
    if (parsed_at == std::string::npos) return out;
    const std::string_view local = full.substr(0, parsed_at);
    if (local_part_problem(local) || domain_problem(full.substr(parsed_at + 1))) return out;
    out.parsed = true;
    out.keys[out.key_count++] = full;
    // Postfix recipient_delimiter: the first delimiter splits; the rest of a
    // valid local part is still valid unless it ends with a dot.
    const size_t cut =
        delimiters.empty() ? std::string_view::npos : local.find_first_of(delimiters);
    if (cut != std::string_view::npos && cut != 0 && !local_part_problem(local.substr(0, cut))) {
        b.stripped.assign(local.substr(0, cut));
        b.stripped.append(full.substr(parsed_at));
        out.keys[out.key_count++] = b.stripped;
    }
    return out;
}

std::string_view last_key(const LookupAddress& a) {
    return a.keys[a.key_count - 1];
}

struct FoundState {
    std::string_view key;  // the look-up key that matched
    MailboxState state;
};

// The first key that names a mailbox; nullopt when none does.
std::optional<FoundState> find_mailbox_state(const LookupAddress& a, const DirectoryView& dir) {
    for (std::size_t i = 0; i < a.key_count; ++i)
        if (auto m = dir.mailbox_state(a.keys[i])) return FoundState{a.keys[i], *m};
    return std::nullopt;
}

DeliveryDecision stale_decision(const Freshness& fresh, TimePoint now) {
    DeliveryFacts facts;
    facts.cache_age = fresh.effective_age();
    facts.cutoff = fresh.cutoff;
    return decide_delivery(facts, now);
}

DeliveryFacts fresh_facts(const Freshness& fresh, const DirectoryView& dir) {
    DeliveryFacts facts;
    facts.cache_age = fresh.effective_age();
    facts.cutoff = fresh.cutoff;
    facts.grace = dir.delivery_grace();
    return facts;
}

// DeliveryDecision texts are static (decide_delivery's fixed set).
PolicyVerdict reject(const DeliveryDecision& d) {
    return PolicyVerdict{PolicyVerdictKind::Reject, d.smtp_code, d.enhanced,
                         PolicyText::fixed(d.text)};
}

PolicyVerdict defer(const DeliveryDecision& d) {
    return PolicyVerdict{PolicyVerdictKind::DeferIfPermit, d.smtp_code, d.enhanced,
                         PolicyText::fixed(d.text)};
}

PolicyVerdict sender_refused(std::string text) {
    return PolicyVerdict{PolicyVerdictKind::Reject, 553, "5.7.1", PolicyText(std::move(text))};
}

}  // namespace

RecipientVerdict evaluate_recipient(std::string_view recipient, std::string_view delimiters,
                                    const DirectoryView& dir, const Freshness& fresh,
                                    TimePoint now) {
    RecipientVerdict out;
    const LookupAddress a = lookup_address(recipient, delimiters);
    if (a.parsed) {
        out.address = last_key(a);
        out.address_valid = true;
    }
    // Nothing the cache says can be trusted past the cutoff, not even which
    // domains are hosted: defer before looking.
    if (fresh.stale()) {
        out.decision = stale_decision(fresh, now);
        return out;
    }
    DeliveryFacts facts = fresh_facts(fresh, dir);
    // A hosted domain with an unusable local part is an unknown mailbox, not
    // someone else's business: Postfix would still deliver it somewhere.
    out.domain_hosted = !a.domain.empty() && dir.domain_hosted(a.domain);
    for (std::size_t i = 0; out.domain_hosted && i < a.key_count; ++i) {
        if (auto m = dir.mailbox(a.keys[i])) {
            out.address = a.keys[i];
            out.mailbox = std::move(*m);
            facts.mailbox_known = true;
            facts.active = out.mailbox->active;
            facts.deactivated_at = out.mailbox->deactivated_at;
            break;
        }
    }
    out.decision = decide_delivery(facts, now);
    return out;
}

std::optional<std::string> resolve_mailbox_address(std::string_view raw,
                                                   std::string_view delimiters,
                                                   const DirectoryView& dir) {
    const LookupAddress a = lookup_address(raw, delimiters);
    if (!a.parsed) return std::nullopt;
    if (auto found = find_mailbox_state(a, dir)) return std::string(found->key);
    return std::string(last_key(a));
}

SenderCheck check_sender(std::string_view login, std::string_view sender,
                         std::string_view delimiters, const DirectoryView& dir) {
    const LookupAddress a = lookup_address(sender, delimiters);
    if (!a.parsed || !dir.domain_hosted(a.domain)) return SenderCheck::NotHostedMailbox;
    const auto mailbox = find_mailbox_state(a, dir);
    if (!mailbox) return SenderCheck::NotHostedMailbox;
    const std::string_view address = mailbox->key;
    std::string& who = lookup_buffers().login;
    who.assign(trimmed(login));
    for (char& c : who)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (who == address) return SenderCheck::Allowed;
    if (dir.assigned(who, address)) return SenderCheck::Allowed;
    return SenderCheck::NotPermitted;
}

PolicyVerdict decide_policy(const PolicyQuery& query, std::string_view delimiters,
                            const DirectoryView& dir, const Freshness& fresh, TimePoint now) {
    const PolicyVerdict dunno;
    // Only the recipient stage carries a verdict; smtpd asks the same service
    // at other stages only when an operator lists it there.
    if (!equals_ascii_lowercase(trimmed(query.protocol_state), "rcpt")) return dunno;

    if (fresh.stale()) return defer(stale_decision(fresh, now));

    if (!trimmed(query.sasl_username).empty()) {
        // smtpd puts "<recipient>: Recipient address rejected: " in front of
        // the text (the check runs among the recipient restrictions), so
        // the text names the sender itself.
        switch (check_sender(query.sasl_username, query.sender, delimiters, dir)) {
            case SenderCheck::Allowed:
                break;
            case SenderCheck::NotHostedMailbox:
                return sender_refused("Sender address <" + normalize_address(query.sender) +
                                      "> is not a mailbox hosted here");
            case SenderCheck::NotPermitted:
                return sender_refused("Sender address <" + normalize_address(query.sender) +
                                      "> is not owned by the authenticated login");
        }
    }

    // evaluate_recipient without copying the mailbox: only its state counts.
    const LookupAddress a = lookup_address(query.recipient, delimiters);
    if (a.domain.empty() || !dir.domain_hosted(a.domain)) return dunno;
    DeliveryFacts facts = fresh_facts(fresh, dir);
    if (auto found = find_mailbox_state(a, dir)) {
        facts.mailbox_known = true;
        facts.active = found->state.active;
        facts.deactivated_at = found->state.deactivated_at;
    }
    const DeliveryDecision d = decide_delivery(facts, now);
    switch (d.verdict) {
        case DeliveryVerdict::Deliver:
            return dunno;
        case DeliveryVerdict::RejectUnknown:
        case DeliveryVerdict::RejectDisabled:
            // smtpd adds "<recipient>: Recipient address rejected: ".
            return reject(d);
        case DeliveryVerdict::Tempfail:
            break;
    }
    return defer(d);
}

}  // namespace boxwarden
