#pragma once
// The delivery verdict a mailbox gets now, from its stored facts: what the
// policy service and the Dovecot plugin decide when their cache is current.
// Shown by `boxwardenctl mailbox show` and the web page's detail view.
#include <string>

#include "boxwarden/db.h"
#include "boxwarden/delivery_verdict.h"

namespace boxwarden::admin {

// The select-list items delivery_verdict_from_stored_facts reads (mailbox
// table alias m): active, deactivated_at, grace (NULL when the setting is
// missing: no grace), now.
inline constexpr const char* kStoredDeliveryFactsColumns =
    "m.active, m.deactivated_at, CAST(bw_setting('delivery_grace_seconds') AS UNSIGNED) AS "
    "grace, UTC_TIMESTAMP(6) AS now";

// decide_delivery() on the columns above, as if the cache were current.
DeliveryDecision delivery_verdict_from_stored_facts(const db::Row& row);

// "550 5.2.1 Mailbox disabled" (code, enhanced code, text).
std::string smtp_reply_text(const DeliveryDecision& decision);

}  // namespace boxwarden::admin
