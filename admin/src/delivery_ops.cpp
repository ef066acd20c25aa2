// The delivery verdict from a mailbox row's stored facts.
#include "boxwarden/admin_delivery.h"

namespace boxwarden::admin {

DeliveryDecision delivery_verdict_from_stored_facts(const db::Row& row) {
    DeliveryFacts facts;
    facts.mailbox_known = true;
    facts.active = row.boolean("active");
    if (auto at = row.opt_str("deactivated_at")) facts.deactivated_at = db::parse_sql_datetime(*at);
    if (auto g = row.opt_str("grace")) facts.grace = Seconds{std::stoll(*g)};
    facts.cache_age = Seconds{0};
    const TimePoint now = db::parse_sql_datetime(row.str("now")).value_or(TimePoint{});
    return decide_delivery(facts, now);
}

std::string smtp_reply_text(const DeliveryDecision& decision) {
    std::string out = std::to_string(decision.smtp_code);
    out += ' ';
    out.append(decision.enhanced);
    out += ' ';
    out.append(decision.text);
    return out;
}

}  // namespace boxwarden::admin
