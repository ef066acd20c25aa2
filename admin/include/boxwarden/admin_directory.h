#pragma once
// Domains and users (tables domain and user_account), shared by
// `boxwardenctl domain ...` / `user ...` and Settings » Other on the web
// page: one implementation, so a refusal reads the same in both (the
// database's own reason from the triggers, or the admin library's Refusal)
// and the action words the CLI reports are the ones the web audit records.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "boxwarden/admin.h"

namespace boxwarden::admin {

// ---- domains ---------------------------------------------------------------------

struct DomainRow {
    std::int64_t id = 0;
    std::string name;
    std::int64_t mailboxes = 0;
    std::optional<std::string> created_at;  // SQL DATETIME text (UTC)
};
// Every domain with its number of mailboxes, by name.
std::vector<DomainRow> list_domains(db::Connection& db);

struct DomainRef {
    std::int64_t id = 0;
    std::string name;  // as stored (lowercased, trimmed by the trigger)
};
// INSERT INTO domain: the trigger refuses a bad name with its reason
// (db::RuleViolation "domain 'x' refused: ..."), the unique key a duplicate.
DomainRef add_domain(Env& env, const std::string& name);
// DELETE: Refusal "domain 'x' does not exist"; the trigger refuses a domain
// that still has mailboxes ("... cannot be deleted: it still has N mailboxes").
DomainRef remove_domain(Env& env, const std::string& name);

// ---- users -------------------------------------------------------------------------

struct UserRow {
    std::int64_t id = 0;
    std::string login, display_name;
    bool activity_access = false;
    bool password_set = false;
    std::string mailboxes;  // current assignments, "a@x.de, b@x.de"
};
// Every user by login (at most `limit`; 0: all). Without `with_password_state`
// password_set stays false and user_account.password_hash is not read (the web
// page's database account may not read that column).
std::vector<UserRow> list_users(db::Connection& db, std::size_t limit = 0,
                                bool with_password_state = true);

// user_account.display_name is VARCHAR(255): characters, not bytes.
constexpr size_t kDisplayNameMaxChars = 255;

// Each returns the stored login; Refusal "user 'x' does not exist", the
// display-text rule ("the display name refused: ..."), the login trigger.
std::string add_user(Env& env, const std::string& login, const std::string& display_name,
                     bool activity_access);
std::string set_user_display_name(Env& env, const std::string& login,
                                  const std::string& display_name);
std::string set_user_activity_access(Env& env, const std::string& login, bool on);

struct UserPasswordSet {
    std::string login;
    DovecotNotice notice;  // the user's master logins are cached under the login
};
// Stores the hash (configured scheme; the caller applied the strength
// rule), then flushes Dovecot's auth cache for the login.
UserPasswordSet set_user_password(Env& env, const std::string& login, const std::string& password);

// The words both front ends report: the CLI's JSON "action", the web audit's
// action ("domain " prefixed for domains).
inline const char* activity_access_action(bool on) {
    return on ? "activity access on" : "activity access off";
}

}  // namespace boxwarden::admin
