#pragma once
// The out-of-office "reply to this sender now?" check-and-record, done by the
// database procedure ooo_claim_reply so that several mail hosts never both
// reply. An interface so the request handler is tested without a database;
// the database implementation is DbOooClaimer (db_ooo_claimer.h).
// claim() throws db::Error (from boxwarden/db.h) on database problems.
#include <string>

#include "boxwarden/clock.h"

namespace boxwarden::policyd {

class OooClaimer {
  public:
    virtual ~OooClaimer() = default;
    // True when a reply should be sent (and is now recorded). Throws
    // db::Error (TemporaryFailure when the database cannot answer).
    virtual bool claim(const std::string& mailbox, const std::string& sender, TimePoint now) = 0;
};

}  // namespace boxwarden::policyd
