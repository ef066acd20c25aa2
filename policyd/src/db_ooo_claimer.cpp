#include "db_ooo_claimer.h"

namespace boxwarden::policyd {

bool DbOooClaimer::claim(const std::string& mailbox, const std::string& sender, TimePoint now) {
    auto conn = pool_.lease(std::chrono::seconds(2));
    auto rows = conn->query("CALL ooo_claim_reply(?, ?, ?)",
                            {mailbox, sender, db::format_sql_datetime(now)});
    return !rows.empty() && rows[0].i64("should_reply") == 1;
}

}  // namespace boxwarden::policyd
