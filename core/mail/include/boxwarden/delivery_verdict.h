#pragma once
// The delivery decision for one recipient mailbox: pure, facts + clock in,
// verdict out. Shared by the policy service (SMTP RCPT) and the Dovecot
// plugin (LMTP RCPT), so both enforce the same delivery cutoff.
#include <optional>
#include <string_view>

#include "boxwarden/clock.h"

namespace boxwarden {

// No cache may be trusted longer than this, and no grace may exceed it: the
// design promises that delivery stops at most 30 minutes after deactivation.
inline constexpr Seconds kMaxCutoff{1800};
inline constexpr Seconds kMaxGrace{1800};

enum class DeliveryVerdict {
    Deliver,         // accept the mail for this mailbox
    RejectUnknown,   // 550 5.1.1: no such mailbox (known for sure)
    RejectDisabled,  // 550 5.2.1 Mailbox disabled
    Tempfail,        // 451 4.3.0: the facts are too old to decide either way
};

struct DeliveryFacts {
    bool mailbox_known = false;  // the cache holds this mailbox
    bool active = false;
    std::optional<TimePoint> deactivated_at;  // set when active == false
    Seconds grace{0};                         // setting delivery_grace_seconds (clamped to 0..1800)
    Seconds cache_age{0};         // time since the facts were last confirmed by the database
    Seconds cutoff = kMaxCutoff;  // how old facts may be (clamped to at most 1800 s)
};

struct DeliveryDecision {
    DeliveryVerdict verdict;
    int smtp_code;              // 250, 451 or 550
    std::string_view enhanced;  // "2.1.5", "4.3.0", "5.1.1", "5.2.1"
    std::string_view text;      // human part of the reply
};

DeliveryDecision decide_delivery(const DeliveryFacts& facts, TimePoint now);

std::string_view to_string(DeliveryVerdict v);

}  // namespace boxwarden
