#pragma once
// The Postfix policy verdict and the delivery verdict for one recipient:
// pure functions of (request, cached facts, freshness, clock). No I/O.
// The exact reply texts are documented in docs/policyd.md and docs/protocol.md.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "boxwarden/delivery_verdict.h"
#include "boxwarden/directory.h"
#include "boxwarden/freshness.h"

namespace boxwarden {

// The attributes of a Postfix policy request that the verdict depends on.
struct PolicyQuery {
    std::string protocol_state;  // e.g. "RCPT"
    std::string recipient;
    std::string sender;
    std::string sasl_username;  // empty = not authenticated
};

// Everything known about one recipient address.
struct RecipientVerdict {
    std::string address;  // the mailbox key that matched (full address, else without
                          // the extension); without it when none; "" when unparsable
    bool address_valid = false;
    bool domain_hosted = false;
    std::optional<MailboxFacts> mailbox;
    DeliveryDecision decision;  // for a hosted domain, or Tempfail when stale
};

// Delivery verdict for a recipient (used by RCPT checks and the internal
// "verdict"/"mailbox" requests). Outside hosted domains and for addresses
// that do not parse, decision is RejectUnknown (the caller decides whether
// that matters, e.g. the policy service answers DUNNO there).
RecipientVerdict evaluate_recipient(std::string_view recipient, std::string_view delimiters,
                                    const DirectoryView& dir, const Freshness& fresh,
                                    TimePoint now);

// The mailbox key a raw address names, with the same normalisation and order
// as the verdicts: the full address when it is a mailbox, else the address
// without its extension (also when that is no mailbox either); nullopt when
// the address does not parse.
std::optional<std::string> resolve_mailbox_address(std::string_view raw,
                                                   std::string_view delimiters,
                                                   const DirectoryView& dir);

enum class SenderCheck {
    Allowed,
    NotHostedMailbox,  // MAIL FROM is empty, invalid or not a hosted mailbox
    NotPermitted,      // a hosted mailbox, but this login may not use it
};

// May the authenticated `login` use `sender` as MAIL FROM? Allowed when the
// login is the mailbox's own address or a user currently assigned to it.
// Whether the mailbox is active does not matter (inactive mailboxes may send).
SenderCheck check_sender(std::string_view login, std::string_view sender,
                         std::string_view delimiters, const DirectoryView& dir);

enum class PolicyVerdictKind {
    Dunno,          // no opinion: smtpd goes on with its other restrictions
    Reject,         // a permanent refusal with smtp_code (5xx)
    DeferIfPermit,  // a temporary refusal, unless another rule rejects
};

// The human part of a policy reply: a view of a fixed text with static
// storage (literals, DeliveryDecision texts), or an owned one (the
// sender-check texts name the sender). Fixed texts cost no allocation.
class PolicyText {
  public:
    PolicyText() = default;
    // A string literal.
    template <std::size_t N>
    PolicyText(const char (&literal)[N]) : fixed_(literal, N - 1) {}  // NOLINT: implicit
    PolicyText(std::string owned) : owned_(std::move(owned)), is_owned_(true) {}  // NOLINT
    // A text that outlives every verdict (static storage).
    static PolicyText fixed(std::string_view text) {
        PolicyText t;
        t.fixed_ = text;
        return t;
    }

    std::string_view view() const { return is_owned_ ? std::string_view(owned_) : fixed_; }
    bool empty() const { return view().empty(); }
    bool operator==(const PolicyText& other) const { return view() == other.view(); }

  private:
    std::string owned_;
    std::string_view fixed_;
    bool is_owned_ = false;
};

// The verdict on one Postfix policy request, as data. policyd's policy
// service writes it as `action=` (format_policy_action).
struct PolicyVerdict {
    PolicyVerdictKind kind = PolicyVerdictKind::Dunno;
    int smtp_code = 0;               // Reject only: 550, 553
    std::string_view enhanced_code;  // "5.1.1", "4.3.0", ... (static); empty for Dunno
    PolicyText text;                 // the human part; empty for Dunno

    bool operator==(const PolicyVerdict&) const = default;
};

PolicyVerdict decide_policy(const PolicyQuery& query, std::string_view delimiters,
                            const DirectoryView& dir, const Freshness& fresh, TimePoint now);

}  // namespace boxwarden
