#pragma once
// The out-of-office "reply to this sender now?" check-and-record, done by the
// database procedure ooo_claim_reply so that several mail hosts never both
// reply, and its undo after a failed send (ooo_release_reply). An interface so the request handler
// is tested without a database; the database implementation is DbOooClaimer (db_ooo_claimer.h).
// claim() throws db::Error (from boxwarden/db.h) on database problems.
#include <string>

#include "boxwarden/clock.h"

namespace boxwarden::policyd {

struct OooClaimResult {
    bool should_reply = false;
    std::string claim_token;  // with should_reply: what release() needs
};

class OooClaimer {
  public:
    virtual ~OooClaimer() = default;
    // should_reply when a reply should be sent (and is now recorded). Throws
    // db::Error (TemporaryFailure when the database cannot answer).
    virtual OooClaimResult claim(const std::string& mailbox, const std::string& sender,
                                 TimePoint now) = 0;
    // Undoes the claim with this token; false when that claim is no longer
    // the row's (released already, or renewed by a later claim). Throws
    // db::Error (RuleViolation for a malformed token).
    virtual bool release(const std::string& mailbox, const std::string& sender,
                         const std::string& claim_token) = 0;
};

}  // namespace boxwarden::policyd
