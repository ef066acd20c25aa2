// The web admins' second factor (migration 0008): the sealed TOTP secret,
// the last used time step, and the recovery codes' hashes. Every "mark as
// used" is one conditional UPDATE whose affected-row count decides.
#include "boxwarden/admin_totp.h"
#include "boxwarden/base32.h"
#include "boxwarden/recovery_code.h"
#include "boxwarden/secret_box.h"
#include "boxwarden/totp.h"

namespace boxwarden::admin {

namespace {

// The associated data of a sealed secret: a copy moved to another admin's
// row does not open.
std::string secret_binding(const std::string& login) {
    std::string ad = "web_admin_totp:";
    ad += login;
    return ad;
}

TotpSecret describe(const std::string& login, const std::string& secret) {
    TotpSecret s;
    s.login = login;
    s.secret_base32 = base32_encode(secret, false);
    s.otpauth_uri = totp_otpauth_uri(kTotpIssuer, login, s.secret_base32);
    return s;
}

struct AdminRow {
    std::int64_t id = 0;
    std::string login;
};

AdminRow lock_admin_by_login(db::Connection& c, const std::string& login) {
    auto rows =
        c.query("SELECT id, login FROM web_admin WHERE login = LOWER(TRIM(?)) FOR UPDATE", {login});
    if (rows.empty()) throw Refusal("web admin '" + login + "' does not exist");
    return {rows[0].i64("id"), rows[0].str("login")};
}

AdminRow lock_admin_by_id(db::Connection& c, std::int64_t id) {
    auto rows = c.query("SELECT id, login FROM web_admin WHERE id = ? FOR UPDATE", {id});
    if (rows.empty()) {
        std::string message = "web admin ";
        message.append(std::to_string(id)).append(" does not exist");
        throw Refusal(message);
    }
    return {rows[0].i64("id"), rows[0].str("login")};
}

// nullopt: no row; else whether it is enabled.
std::optional<bool> totp_state(db::Connection& c, std::int64_t admin_id) {
    auto rows = c.query("SELECT enabled FROM web_admin_totp WHERE admin_id = ?", {admin_id});
    if (rows.empty()) return std::nullopt;
    return rows[0].boolean("enabled");
}

void store_secret(db::Connection& c, const SecretKey& key, const AdminRow& a,
                  const std::string& secret, bool enabled) {
    // An unconfirmed enrolment is replaced; an enabled secret never is.
    c.execute("DELETE FROM web_admin_totp WHERE admin_id = ? AND enabled = 0", {a.id});
    c.execute(
        "INSERT INTO web_admin_totp (admin_id, secret_enc, enabled) VALUES (?, UNHEX(?), ?)",
        {a.id, to_hex(seal(key, secret, secret_binding(a.login))), std::int64_t{enabled ? 1 : 0}});
}

std::vector<std::string> issue_recovery_codes(db::Connection& c, std::int64_t admin_id) {
    c.execute(
        "UPDATE web_admin_recovery_code SET revoked_at = UTC_TIMESTAMP(6) WHERE admin_id = ? AND "
        "used_at IS NULL AND revoked_at IS NULL",
        {admin_id});
    std::vector<std::string> codes;
    for (int i = 0; i < kRecoveryCodeCount; ++i) {
        std::string code = new_recovery_code();
        c.execute("INSERT INTO web_admin_recovery_code (admin_id, code_hash) VALUES (?, UNHEX(?))",
                  {admin_id, to_hex(recovery_code_hash(*normalize_recovery_code(code)))});
        codes.push_back(std::move(code));
    }
    return codes;
}

struct StoredSecret {
    std::string login, secret;
    bool enabled = false;
    std::optional<std::int64_t> last_used_step;
    std::string sealed_hex;
};

std::optional<StoredSecret> load_secret(Env& env, std::int64_t admin_id) {
    auto rows = env.db.query(
        "SELECT a.login, HEX(t.secret_enc) AS enc, t.enabled, t.last_used_step FROM "
        "web_admin_totp t JOIN web_admin a ON a.id = t.admin_id WHERE t.admin_id = ?",
        {admin_id});
    if (rows.empty()) return std::nullopt;
    StoredSecret s;
    s.login = rows[0].str("login");
    s.enabled = rows[0].boolean("enabled");
    if (!rows[0].is_null("last_used_step")) s.last_used_step = rows[0].i64("last_used_step");
    s.sealed_hex = rows[0].str("enc");
    const SecretKey key = load_secret_key(env.config);
    try {
        s.secret = unseal(key, from_hex(s.sealed_hex), secret_binding(s.login));
    } catch (const SecretBoxError& e) {
        throw ToolError("the TOTP secret of web admin '" + s.login +
                        "' cannot be decrypted: " + e.what() +
                        " (wrong secret_key_file, or the value was copied from another row)");
    }
    return s;
}

std::string without_blanks(const std::string& text) {
    std::string out;
    for (char c : text)
        if (c != ' ' && c != '\t') out += c;
    return out;
}

bool all_digits(const std::string& text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

TotpEnrolment enable_web_admin_totp(Env& env, const std::string& login) {
    const SecretKey key = load_secret_key(env.config);  // before any write
    const std::string secret = new_totp_secret();
    TotpEnrolment out;
    run_transaction(env.db, [&] {
        const AdminRow a = lock_admin_by_login(env.db, login);
        if (totp_state(env.db, a.id).value_or(false))
            throw Refusal("web admin '" + a.login +
                          "' already has TOTP enabled (disable it first; 'admin totp recovery' "
                          "issues new recovery codes)");
        store_secret(env.db, key, a, secret, true);
        out.secret = describe(a.login, secret);
        out.recovery_codes = issue_recovery_codes(env.db, a.id);
    });
    return out;
}

std::string disable_web_admin_totp(Env& env, const std::string& login) {
    std::string stored;
    run_transaction(env.db, [&] {
        const AdminRow a = lock_admin_by_login(env.db, login);
        stored = a.login;
        if (!totp_state(env.db, a.id).value_or(false))
            throw Refusal("web admin '" + a.login + "' has no TOTP enabled");
        env.db.execute("DELETE FROM web_admin_totp WHERE admin_id = ?", {a.id});
        env.db.execute(
            "UPDATE web_admin_recovery_code SET revoked_at = UTC_TIMESTAMP(6) WHERE admin_id = ? "
            "AND used_at IS NULL AND revoked_at IS NULL",
            {a.id});
    });
    return stored;
}

RecoveryCodes renew_web_admin_recovery_codes(Env& env, const std::string& login) {
    RecoveryCodes out;
    run_transaction(env.db, [&] {
        const AdminRow a = lock_admin_by_login(env.db, login);
        if (!totp_state(env.db, a.id).value_or(false))
            throw Refusal("web admin '" + a.login + "' has no TOTP enabled (boxwardenctl admin " +
                          "totp enable " + a.login + ")");
        out.login = a.login;
        out.codes = issue_recovery_codes(env.db, a.id);
    });
    return out;
}

bool web_admin_totp_enabled(db::Connection& db, std::int64_t admin_id) {
    return totp_state(db, admin_id).value_or(false);
}

TotpSecret start_web_admin_totp_enrolment(Env& env, std::int64_t admin_id) {
    const SecretKey key = load_secret_key(env.config);
    const std::string secret = new_totp_secret();
    TotpSecret out;
    run_transaction(env.db, [&] {
        const AdminRow a = lock_admin_by_id(env.db, admin_id);
        if (totp_state(env.db, a.id).value_or(false))
            throw Refusal("web admin '" + a.login + "' already has TOTP enabled");
        store_secret(env.db, key, a, secret, false);
        out = describe(a.login, secret);
    });
    return out;
}

std::optional<TotpSecret> pending_web_admin_totp(Env& env, std::int64_t admin_id) {
    const auto s = load_secret(env, admin_id);
    if (!s || s->enabled) return std::nullopt;
    return describe(s->login, s->secret);
}

std::optional<TotpEnrolment> confirm_web_admin_totp(Env& env, std::int64_t admin_id,
                                                    const std::string& typed_code,
                                                    std::int64_t unix_now) {
    const auto s = load_secret(env, admin_id);
    if (!s || s->enabled) return std::nullopt;
    const TotpVerdict v =
        verify_totp(s->secret, without_blanks(typed_code), unix_now, std::nullopt);
    if (v.outcome != TotpOutcome::Accepted) return std::nullopt;
    std::optional<TotpEnrolment> out;
    run_transaction(env.db, [&] {
        out.reset();
        // Only the secret that was shown (not one replaced meanwhile).
        if (env.db.execute("UPDATE web_admin_totp SET enabled = 1, last_used_step = ? WHERE "
                           "admin_id = ? AND enabled = 0 AND secret_enc = UNHEX(?)",
                           {v.step, admin_id, s->sealed_hex}) != 1)
            return;
        out = TotpEnrolment{describe(s->login, s->secret), issue_recovery_codes(env.db, admin_id)};
    });
    return out;
}

SecondFactorResult check_web_admin_second_factor(Env& env, std::int64_t admin_id,
                                                 const std::string& typed_code,
                                                 std::int64_t unix_now) {
    const std::string typed = without_blanks(typed_code);
    const auto s = load_secret(env, admin_id);
    if (!s || !s->enabled) return {SecondFactor::Wrong, 0};
    if (all_digits(typed)) {
        const TotpVerdict v = verify_totp(s->secret, typed, unix_now, s->last_used_step);
        if (v.outcome == TotpOutcome::Replayed) return {SecondFactor::Replayed, 0};
        if (v.outcome != TotpOutcome::Accepted) return {SecondFactor::Wrong, 0};
        // Another login may have used this step since the read above.
        const auto changed = env.db.execute(
            "UPDATE web_admin_totp SET last_used_step = ? WHERE admin_id = ? AND enabled = 1 AND "
            "(last_used_step IS NULL OR last_used_step < ?)",
            {v.step, admin_id, v.step});
        return {changed == 1 ? SecondFactor::TotpAccepted : SecondFactor::Replayed, 0};
    }
    const auto canonical = normalize_recovery_code(typed);
    if (!canonical) return {SecondFactor::Wrong, 0};
    const auto used = env.db.execute(
        "UPDATE web_admin_recovery_code SET used_at = UTC_TIMESTAMP(6) WHERE admin_id = ? AND "
        "code_hash = UNHEX(?) AND used_at IS NULL AND revoked_at IS NULL",
        {admin_id, to_hex(recovery_code_hash(*canonical))});
    if (used != 1) return {SecondFactor::Wrong, 0};
    auto left = env.db.query(
        "SELECT COUNT(*) AS n FROM web_admin_recovery_code WHERE admin_id = ? AND used_at IS NULL "
        "AND revoked_at IS NULL",
        {admin_id});
    return {SecondFactor::RecoveryCodeAccepted, static_cast<long>(left[0].i64("n"))};
}

}  // namespace boxwarden::admin
