#pragma once
// The out-of-office "reply to this sender now?" check-and-record, done by the
// database procedure ooo_claim_reply so that several mail hosts never both
// reply. An interface so the request handler is tested without a database.
#include <string>

#include "boxwarden/clock.h"
#include "boxwarden/db.h"

namespace boxwarden::policyd {

class OooClaimer {
  public:
    virtual ~OooClaimer() = default;
    // True when a reply should be sent (and is now recorded). Throws
    // db::Error (TemporaryFailure when the database cannot answer).
    virtual bool claim(const std::string& mailbox, const std::string& sender, TimePoint now) = 0;
};

class DbOooClaimer final : public OooClaimer {
  public:
    explicit DbOooClaimer(db::ConnectionPool& pool) : pool_(pool) {}
    bool claim(const std::string& mailbox, const std::string& sender, TimePoint now) override {
        auto conn = pool_.lease(std::chrono::seconds(2));
        auto rows = conn->query("CALL ooo_claim_reply(?, ?, ?)",
                                {mailbox, sender, db::format_sql_datetime(now)});
        return !rows.empty() && rows[0].i64("should_reply") == 1;
    }

  private:
    db::ConnectionPool& pool_;
};

}  // namespace boxwarden::policyd
