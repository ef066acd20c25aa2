#pragma once
// OooClaimer on the database: CALL ooo_claim_reply(mailbox, sender, now) and
// CALL ooo_release_reply(mailbox, sender, claim_token).
#include "boxwarden/db.h"
#include "ooo_claimer.h"

namespace boxwarden::policyd {

class DbOooClaimer final : public OooClaimer {
  public:
    explicit DbOooClaimer(db::ConnectionPool& pool) : pool_(pool) {}
    OooClaimResult claim(const std::string& mailbox, const std::string& sender,
                         TimePoint now) override;
    bool release(const std::string& mailbox, const std::string& sender,
                 const std::string& claim_token) override;

  private:
    db::ConnectionPool& pool_;
};

}  // namespace boxwarden::policyd
