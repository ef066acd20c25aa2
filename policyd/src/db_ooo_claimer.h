#pragma once
// OooClaimer on the database: CALL ooo_claim_reply(mailbox, sender, now).
#include "boxwarden/db.h"
#include "ooo_claimer.h"

namespace boxwarden::policyd {

class DbOooClaimer final : public OooClaimer {
  public:
    explicit DbOooClaimer(db::ConnectionPool& pool) : pool_(pool) {}
    bool claim(const std::string& mailbox, const std::string& sender, TimePoint now) override;

  private:
    db::ConnectionPool& pool_;
};

}  // namespace boxwarden::policyd
