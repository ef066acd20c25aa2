#include "db_ooo_claimer.h"

#include "boxwarden/retry.h"

namespace boxwarden::policyd {

OooClaimResult DbOooClaimer::claim(const std::string& mailbox, const std::string& sender,
                                   TimePoint now) {
    auto conn = pool_.lease(std::chrono::seconds(2));
    try {
        // One transaction, so that should_reply=1 is answered only once its
        // ooo_reply row committed. On Galera the same sender claimed through
        // another node at the same moment makes one commit fail with 1213:
        // run again, the claim then finds the other's row (should_reply=0).
        return db::run_transaction(*conn, [&](db::Connection& c) {
            auto rows = c.query("CALL ooo_claim_reply(?, ?, ?)",
                                {mailbox, sender, db::format_sql_datetime(now)});
            OooClaimResult out;
            if (rows.empty() || rows[0].i64("should_reply") != 1) return out;
            out.should_reply = true;
            out.claim_token = rows[0].opt_str("claim_token").value_or("");
            return out;
        });
    } catch (const db::RuleViolation&) {
        throw;
    } catch (const std::exception&) {
        // A node that failed (or left the primary component) is not reused:
        // the next lease reconnects, trying the hosts in order.
        conn->mark_broken();
        throw;
    }
}

bool DbOooClaimer::release(const std::string& mailbox, const std::string& sender,
                           const std::string& claim_token) {
    auto conn = pool_.lease(std::chrono::seconds(2));
    try {
        return db::run_transaction(*conn, [&](db::Connection& c) {
            auto rows = c.query("CALL ooo_release_reply(?, ?, ?)", {mailbox, sender, claim_token});
            return !rows.empty() && rows[0].i64("released") == 1;
        });
    } catch (const db::RuleViolation&) {
        throw;
    } catch (const std::exception&) {
        conn->mark_broken();
        throw;
    }
}

}  // namespace boxwarden::policyd
