#pragma once
// The admin operations shared by boxwardenctl and boxwarden-web: one
// implementation of every change an admin makes (mailbox state, email name,
// VIP, out-of-office, assignments, passwords with the Dovecot cache flush,
// access-data mail, settings), so a rule, a refusal text or a side effect
// cannot differ between the two front ends. Every change goes through the
// same SQL (procedures, plain UPDATEs checked by the triggers) an admin's own
// SQL would use; each operation is one transaction.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "boxwarden/access_data.h"
#include "boxwarden/admin_dovecot.h"
#include "boxwarden/config.h"
#include "boxwarden/db.h"
#include "boxwarden/password.h"

namespace boxwarden {
class SecretKey;
}

namespace boxwarden::admin {

// A refusal decided by the admin code itself, worded like the database's
// ("mailbox 'x@example.de' does not exist"); nothing changed.
class Refusal : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A failure outside the database (sendmail, key file, doveadm); `temporary`
// when trying again later may help.
class ToolError : public std::runtime_error {
  public:
    explicit ToolError(const std::string& what, bool temporary = false)
        : std::runtime_error(what), temporary_(temporary) {}
    bool temporary() const { return temporary_; }

  private:
    bool temporary_;
};

// What an operation works with: the connection, the configuration, and
// where warnings go (the CLI prints them on stderr, the page shows them).
struct Env {
    db::Connection& db;
    const Config& config;
    std::function<void(const std::string&)> warn;
};

// Runs f inside one transaction: committed when f returns, rolled back on
// any exception (passed on). After a deadlock (1213) or Galera conflict
// (1180) f runs again (at most three times in all).
void run_transaction(db::Connection& c, const std::function<void()>& f);

// Look-ups inside the current transaction; they lock the row (FOR UPDATE).
struct MailboxRef {
    std::int64_t id = 0;
    std::string address;
};
MailboxRef lock_mailbox(db::Connection& c, const std::string& address);
std::int64_t lock_user(db::Connection& c, const std::string& login);

// Throws Refusal "<what> is not valid UTF-8 (at byte N)" for ill-formed text.
void require_utf8(const std::string& text, const std::string& what);
// A name shown in mail headers: valid UTF-8, no control character (the
// schema's rule and reason), at most max_chars characters.
void require_display_text(const std::string& text, const std::string& what, size_t max_chars);

// secret_key_file of the configuration; ToolError "secret key: ..." when unusable.
SecretKey load_secret_key(const Config& config);
// password_scheme of the configuration; ConfigError when neither ARGON2ID nor SHA512-CRYPT.
PasswordScheme configured_scheme(const Config& config);
const char* scheme_name(PasswordScheme s);

// ---- mailboxes -------------------------------------------------------------

// mailbox.email_name is VARCHAR(255): characters, not bytes.
constexpr size_t kEmailNameMaxChars = 255;

// CALL create_mailbox_with(address, email_name, vip, active).
MailboxRef create_mailbox(Env& env, const std::string& address,
                          const std::optional<std::string>& email_name, bool vip, bool active);
MailboxRef set_mailbox_active(Env& env, const std::string& address, bool active);
// nullopt clears the email name; an empty name is refused.
MailboxRef set_email_name(Env& env, const std::string& address,
                          const std::optional<std::string>& email_name);
MailboxRef set_vip(Env& env, const std::string& address, bool vip);

struct OooNote {
    std::string subject;
    std::string body;
    std::optional<std::string> start_sql, end_sql;  // "YYYY-MM-DD HH:MM:SS" UTC, or unbounded
    std::string start_text, end_text;           // as the admin typed them (for the refusal text)
    std::optional<std::int64_t> interval_days;  // nullopt: keep the stored interval
};
MailboxRef enable_ooo(Env& env, const std::string& address, const OooNote& note);
MailboxRef disable_ooo(Env& env, const std::string& address);
MailboxRef delete_mailbox(Env& env, const std::string& address);

// ---- Dovecot ----------------------------------------------------------------

struct DovecotNotice {
    DovecotResult flush;
    std::optional<DovecotResult> kick;
    bool failed = false;  // Dovecot is here but did not do it
};
// After a committed credential change: flush the auth cache for the users,
// kick the sessions of kick_user; warnings go to env.warn.
DovecotNotice notify_dovecot(Env& env, const std::vector<std::string>& flush_users,
                             const std::optional<std::string>& kick_user);

// ---- assignments --------------------------------------------------------------

struct AssignmentChange {
    std::string address, login;  // the stored spellings
    DovecotNotice notice;
};
AssignmentChange assign_user(Env& env, const std::string& address, const std::string& login);
AssignmentChange unassign_user(Env& env, const std::string& address, const std::string& login);

// ---- passwords ------------------------------------------------------------------

struct ShownPassword {
    std::string address, password;
};
// Opens mailbox.password_enc with the key file.
ShownPassword show_password(Env& env, const std::string& address);

struct StoredPassword {
    std::string address;
    PasswordScheme scheme = PasswordScheme::Argon2id;
    DovecotNotice notice;
};
// Stores the hash and the sealed copy in one UPDATE, then flushes Dovecot's
// auth cache for the mailbox and kicks its sessions.
StoredPassword store_password(Env& env, const std::string& address, const std::string& password);

// Upper-case hex (as MySQL's HEX()).
std::string to_hex(const std::string& bytes);
// Pairs of hex digits of either case; std::invalid_argument otherwise.
std::string from_hex(const std::string& hex);
// Opens HEX(password_enc) of `address`; ToolError when it does not open.
std::string open_stored_password(const Config& config, const std::string& address,
                                 const std::string& hex_sealed);

// ---- access data -------------------------------------------------------------------

struct AccessDataOrder {
    std::string address;
    std::string recipient;  // as typed
    std::string language;   // de or en (checked by the caller)
    bool with_password = false;
};
struct AccessDataSent {
    std::string address, recipient, language, message_id;
    bool with_password = false;
};
// imap_*, pop3_*, smtp_* of the configuration; ConfigError when invalid.
MailClientHosts hosts_from_config(const Config& config);

// Composes the mail from the configuration's client settings and hands it
// to sendmail_path (sendmail -i -f ADDRESS -- RECIPIENT).
AccessDataSent send_access_data(Env& env, const AccessDataOrder& order);

// ---- settings -------------------------------------------------------------------------

// INSERT ... ON DUPLICATE KEY UPDATE (the triggers refuse unknown names and
// bad values); vip_unprotected_cc_bcc also takes on/off. Returns the stored value.
std::string set_setting(Env& env, const std::string& name, const std::string& value);

}  // namespace boxwarden::admin

namespace boxwarden::admin {

// ---- accounts of the web page (table web_admin, migration 0007) -------------------

struct WebAdmin {
    std::string login;
    std::string role;                  // superadmin or domain
    std::vector<std::string> domains;  // domain admins: the domains they manage
    std::string created_at;
};

// Adds an admin with an Argon2id hash of `password` (the caller applied the
// strength rule). role "domain" needs at least one existing domain;
// "superadmin" takes none. Returns the stored login.
std::string add_web_admin(Env& env, const std::string& login, const std::string& password,
                          const std::string& role, const std::vector<std::string>& domains);
std::vector<WebAdmin> list_web_admins(db::Connection& db);
// Removes the admin; its sessions end with it. Returns the stored login.
std::string remove_web_admin(Env& env, const std::string& login);
// New password; every session of the admin ends (trigger). Returns the stored login.
std::string set_web_admin_password(Env& env, const std::string& login, const std::string& password);

}  // namespace boxwarden::admin
