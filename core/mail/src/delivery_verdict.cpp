#include "boxwarden/delivery_verdict.h"

#include <algorithm>

#include "boxwarden/query_protocol.h"

namespace boxwarden {

namespace {

DeliveryDecision make(DeliveryVerdict v) {
    switch (v) {
        case DeliveryVerdict::Deliver:
            return {v, 250, "2.1.5", "OK"};
        case DeliveryVerdict::RejectUnknown:
            return {v, 550, "5.1.1", "Mailbox unknown"};
        case DeliveryVerdict::RejectDisabled:
            return {v, 550, "5.2.1", "Mailbox disabled"};
        case DeliveryVerdict::Tempfail:
            break;
    }
    return {DeliveryVerdict::Tempfail, 451, "4.3.0",
            "Mailbox state temporarily unavailable, try again later"};
}

}  // namespace

DeliveryDecision decide_delivery(const DeliveryFacts& facts, TimePoint now) {
    const Seconds cutoff = std::clamp(facts.cutoff, Seconds{0}, kMaxCutoff);
    const Seconds grace = std::clamp(facts.grace, Seconds{0}, kMaxGrace);
    // A negative age means the caller's clock stepped; treat the facts as fresh
    // rather than inventing staleness (callers measure age monotonically).
    const Seconds age = std::max(facts.cache_age, Seconds{0});

    // Facts older than the cutoff may be wrong both ways: the mailbox may have
    // been disabled, created or re-enabled since. Never guess: defer.
    if (age >= cutoff) return make(DeliveryVerdict::Tempfail);

    if (!facts.mailbox_known) return make(DeliveryVerdict::RejectUnknown);
    if (facts.active) return make(DeliveryVerdict::Deliver);

    // Inactive without a recorded time (hand-edited data): disabled for long.
    if (!facts.deactivated_at) return make(DeliveryVerdict::RejectDisabled);
    if (now < *facts.deactivated_at + grace) return make(DeliveryVerdict::Deliver);
    return make(DeliveryVerdict::RejectDisabled);
}

std::string_view to_string(DeliveryVerdict v) {
    switch (v) {
        case DeliveryVerdict::Deliver:
            return query_protocol::verdict::deliver;
        case DeliveryVerdict::RejectUnknown:
            return query_protocol::verdict::reject_unknown;
        case DeliveryVerdict::RejectDisabled:
            return query_protocol::verdict::reject_disabled;
        case DeliveryVerdict::Tempfail:
            return query_protocol::verdict::tempfail;
    }
    return query_protocol::verdict::tempfail;
}

}  // namespace boxwarden
