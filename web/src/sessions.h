#pragma once
// Server-side sessions in SQL (table web_session, migration 0007): the cookie
// holds 32 random bytes (hex); the table holds only their SHA-256. A login
// always creates a new row and deletes the old one (the id rotates), logout
// deletes the row, and a look-up refuses a session past its idle or
// absolute timeout. A session whose password step is done but whose second
// step (TOTP code, or enrolment) is not is "pending": it lives 5 minutes at
// most and opens nothing but that step (totp_login.h).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "boxwarden/db.h"

namespace boxwarden::web {

struct SessionTimeouts {
    std::chrono::seconds idle{1800};
    std::chrono::seconds max_age{8 * 3600};
};

struct Session {
    std::string cookie;                    // the cookie value (hex)
    std::string csrf_token;                // hex; every POST must carry it
    std::optional<std::int64_t> admin_id;  // nullopt: not logged in (login form only)
    std::string login;
    bool superadmin = false;
    std::vector<std::int64_t> domain_ids;  // for domain admins
    std::string pending;                   // "", or the step still due: "totp", "enrol"

    bool fully_logged_in() const { return admin_id && pending.empty(); }
};

// How long a pending session may take for its second step.
inline constexpr std::chrono::seconds kPendingSessionLifetime{300};

class SessionStore {
  public:
    SessionStore(db::Connection& db, SessionTimeouts timeouts) : db_(db), timeouts_(timeouts) {}

    // The live session of the cookie, or nullopt (unknown, expired, or not hex).
    std::optional<Session> find(const std::string& cookie);
    // A fresh anonymous session (for the login form's CSRF token).
    Session create_anonymous(const std::string& client_address);
    // Replaces `old_cookie`'s session (if any) by a new one of admin_id;
    // `pending` names the step still due ("" = fully logged in).
    Session login(const std::string& old_cookie, std::int64_t admin_id,
                  const std::string& client_address, const std::string& pending = "");
    void destroy(const std::string& cookie);

  private:
    Session create(std::optional<std::int64_t> admin_id, const std::string& client_address,
                   const std::string& pending = "");
    db::Connection& db_;
    SessionTimeouts timeouts_;
};

// Whether a cookie value has the form this store issues (64 hex digits).
bool well_formed_session_cookie(const std::string& cookie);

}  // namespace boxwarden::web
