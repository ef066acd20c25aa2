#include "db_ooo_claimer.h"

namespace boxwarden::policyd {

OooClaimResult DbOooClaimer::claim(const std::string& mailbox, const std::string& sender,
                                   TimePoint now) {
    auto conn = pool_.lease(std::chrono::seconds(2));
    auto rows = conn->query("CALL ooo_claim_reply(?, ?, ?)",
                            {mailbox, sender, db::format_sql_datetime(now)});
    OooClaimResult out;
    if (rows.empty() || rows[0].i64("should_reply") != 1) return out;
    out.should_reply = true;
    out.claim_token = rows[0].opt_str("claim_token").value_or("");
    return out;
}

bool DbOooClaimer::release(const std::string& mailbox, const std::string& sender,
                           const std::string& claim_token) {
    auto conn = pool_.lease(std::chrono::seconds(2));
    auto rows = conn->query("CALL ooo_release_reply(?, ?, ?)", {mailbox, sender, claim_token});
    return !rows.empty() && rows[0].i64("released") == 1;
}

}  // namespace boxwarden::policyd
