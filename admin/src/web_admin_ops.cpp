// Accounts of the web page: web_admin and web_admin_domain (migration 0007).
// Passwords are always Argon2id (libsodium), whatever password_scheme says
// for mailboxes.
#include "boxwarden/admin.h"

namespace boxwarden::admin {

namespace {

std::int64_t lock_admin(db::Connection& c, const std::string& login, std::string& stored) {
    auto rows =
        c.query("SELECT id, login FROM web_admin WHERE login = LOWER(TRIM(?)) FOR UPDATE", {login});
    if (rows.empty()) throw Refusal("web admin '" + login + "' does not exist");
    stored = rows[0].str("login");
    return rows[0].i64("id");
}

}  // namespace

std::string add_web_admin(Env& env, const std::string& login, const std::string& password,
                          const std::string& role, const std::vector<std::string>& domains) {
    if (role != "superadmin" && role != "domain")
        throw Refusal("role must be superadmin or domain, got '" + role + "'");
    if (role == "domain" && domains.empty())
        throw Refusal("a domain admin needs at least one domain (--domains a.example,b.example)");
    if (role == "superadmin" && !domains.empty())
        throw Refusal("a superadmin manages every domain; give no --domains");
    const std::string hash = hash_password(password, PasswordScheme::Argon2id);
    std::string stored;
    run_transaction(env.db, [&] {
        if (!env.db.query("SELECT 1 FROM web_admin WHERE login = LOWER(TRIM(?))", {login}).empty())
            throw Refusal("web admin '" + login + "' already exists");
        env.db.execute("INSERT INTO web_admin (login, password_hash, role) VALUES (?, ?, ?)",
                       {login, hash, role});
        auto rows = env.db.query("SELECT id, login FROM web_admin WHERE id = LAST_INSERT_ID()");
        stored = rows[0].str("login");
        const std::int64_t id = rows[0].i64("id");
        for (const auto& d : domains) {
            auto dom = env.db.query("SELECT id FROM domain WHERE name = LOWER(TRIM(?))", {d});
            if (dom.empty()) throw Refusal("domain '" + d + "' does not exist");
            env.db.execute(
                "INSERT IGNORE INTO web_admin_domain (admin_id, domain_id) VALUES (?, ?)",
                {id, dom[0].i64("id")});
        }
    });
    return stored;
}

std::vector<WebAdmin> list_web_admins(db::Connection& db) {
    std::vector<WebAdmin> out;
    for (const auto& r : db.query(
             "SELECT a.login, a.role, a.created_at, (SELECT GROUP_CONCAT(d.name ORDER BY d.name "
             "SEPARATOR ',') FROM web_admin_domain x JOIN domain d ON d.id = x.domain_id WHERE "
             "x.admin_id = a.id) AS domains FROM web_admin a ORDER BY a.login")) {
        WebAdmin a;
        a.login = r.str("login");
        a.role = r.str("role");
        a.created_at = r.str("created_at");
        const std::string list = r.opt_str("domains").value_or("");
        size_t start = 0;
        while (start < list.size()) {
            size_t end = list.find(',', start);
            if (end == std::string::npos) end = list.size();
            a.domains.push_back(list.substr(start, end - start));
            start = end + 1;
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::string remove_web_admin(Env& env, const std::string& login) {
    std::string stored;
    run_transaction(env.db, [&] {
        const std::int64_t id = lock_admin(env.db, login, stored);
        env.db.execute("DELETE FROM web_admin WHERE id = ?", {id});
    });
    return stored;
}

std::string set_web_admin_password(Env& env, const std::string& login,
                                   const std::string& password) {
    const std::string hash = hash_password(password, PasswordScheme::Argon2id);
    std::string stored;
    run_transaction(env.db, [&] {
        const std::int64_t id = lock_admin(env.db, login, stored);
        env.db.execute("UPDATE web_admin SET password_hash = ? WHERE id = ?", {hash, id});
    });
    return stored;
}

}  // namespace boxwarden::admin
