// Domains and users: plain SQL on tables domain and user_account; the
// triggers check names and logins and refuse removing a domain with mailboxes.
#include "boxwarden/admin_directory.h"

namespace boxwarden::admin {

namespace {

void check_display_name(const std::string& name) {
    require_display_text(name, "the display name", kDisplayNameMaxChars);
}

// A login found (and locked) inside the current transaction: its id and
// stored spelling.
std::pair<std::int64_t, std::string> locked_user(db::Connection& db, const std::string& login) {
    const std::int64_t id = lock_user(db, login);
    return {id, db.query("SELECT login FROM user_account WHERE id = ?", {id})[0].str("login")};
}

}  // namespace

std::vector<DomainRow> list_domains(db::Connection& db) {
    std::vector<DomainRow> out;
    for (const auto& r :
         db.query("SELECT d.id, d.name, COUNT(m.id) AS mailboxes, d.created_at FROM domain d "
                  "LEFT JOIN mailbox m ON m.domain_id = d.id GROUP BY d.id, d.name, d.created_at "
                  "ORDER BY d.name"))
        out.push_back({r.i64("id"), r.str("name"), r.i64("mailboxes"), r.opt_str("created_at")});
    return out;
}

DomainRef add_domain(Env& env, const std::string& name) {
    DomainRef d;
    run_transaction(env.db, [&] {
        env.db.execute("INSERT INTO domain (name) VALUES (?)", {name});
        auto rows = env.db.query("SELECT id, name FROM domain WHERE id = LAST_INSERT_ID()");
        d = {rows[0].i64("id"), rows[0].str("name")};
    });
    return d;
}

DomainRef remove_domain(Env& env, const std::string& name) {
    DomainRef d;
    run_transaction(env.db, [&] {
        auto rows = env.db.query(
            "SELECT id, name FROM domain WHERE name = LOWER(TRIM(?)) FOR UPDATE", {name});
        if (rows.empty()) throw Refusal("domain '" + name + "' does not exist");
        d = {rows[0].i64("id"), rows[0].str("name")};
        env.db.execute("DELETE FROM domain WHERE id = ?", {d.id});
    });
    return d;
}

std::vector<UserRow> list_users(db::Connection& db, std::size_t limit, bool with_password_state) {
    std::string sql = "SELECT u.id, u.login, u.display_name, u.activity_access, ";
    sql += with_password_state ? "u.password_hash IS NOT NULL AS pw, " : "0 AS pw, ";
    sql +=
        "(SELECT GROUP_CONCAT(m.address ORDER BY m.address SEPARATOR ', ') "
        " FROM mailbox_assignment a JOIN mailbox m ON m.id = a.mailbox_id "
        " WHERE a.user_id = u.id AND a.unassigned_at IS NULL) AS mailboxes "
        "FROM user_account u ORDER BY u.login";
    std::vector<db::Param> params;
    if (limit > 0) {
        sql += " LIMIT ?";
        params.emplace_back(static_cast<std::int64_t>(limit));
    }
    std::vector<UserRow> out;
    for (const auto& r : db.query(sql, params))
        out.push_back({r.i64("id"), r.str("login"), r.str("display_name"),
                       r.boolean("activity_access"), r.boolean("pw"),
                       r.opt_str("mailboxes").value_or("")});
    return out;
}

std::string add_user(Env& env, const std::string& login, const std::string& display_name,
                     bool activity_access) {
    check_display_name(display_name);
    std::string stored;
    run_transaction(env.db, [&] {
        env.db.execute(
            "INSERT INTO user_account (login, display_name, activity_access) VALUES (?, ?, ?)",
            {login, display_name, std::int64_t{activity_access ? 1 : 0}});
        stored = env.db.query("SELECT login FROM user_account WHERE id = LAST_INSERT_ID()")[0].str(
            "login");
    });
    return stored;
}

std::string set_user_display_name(Env& env, const std::string& login,
                                  const std::string& display_name) {
    check_display_name(display_name);
    std::string stored;
    run_transaction(env.db, [&] {
        const auto [id, name] = locked_user(env.db, login);
        stored = name;
        env.db.execute("UPDATE user_account SET display_name = ? WHERE id = ?", {display_name, id});
    });
    return stored;
}

std::string set_user_activity_access(Env& env, const std::string& login, bool on) {
    std::string stored;
    run_transaction(env.db, [&] {
        const auto [id, name] = locked_user(env.db, login);
        stored = name;
        env.db.execute("UPDATE user_account SET activity_access = ? WHERE id = ?",
                       {std::int64_t{on ? 1 : 0}, id});
    });
    return stored;
}

UserPasswordSet set_user_password(Env& env, const std::string& login, const std::string& password) {
    const std::string hash = hash_password(password, configured_scheme(env.config));
    UserPasswordSet out;
    run_transaction(env.db, [&] {
        const auto [id, name] = locked_user(env.db, login);
        out.login = name;
        env.db.execute("UPDATE user_account SET password_hash = ? WHERE id = ?", {hash, id});
    });
    out.notice = notify_dovecot(env, {out.login}, std::nullopt);
    return out;
}

}  // namespace boxwarden::admin
