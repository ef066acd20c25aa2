#include "sessions.h"

#include "security.h"

namespace boxwarden::web {

namespace {

// BINARY(32) travels as hex, so binary bytes never pass the character set.
std::string hash_hex(const std::string& cookie) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : sha256(cookie)) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

}  // namespace

bool well_formed_session_cookie(const std::string& cookie) {
    if (cookie.size() != 64) return false;
    for (char c : cookie)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::optional<Session> SessionStore::find(const std::string& cookie) {
    if (!well_formed_session_cookie(cookie)) return std::nullopt;
    auto rows = db_.query(
        "SELECT s.csrf_token, s.admin_id, s.pending, a.login, a.role, "
        "s.last_seen_at < UTC_TIMESTAMP(6) - INTERVAL 60 SECOND AS stale, "
        "(SELECT GROUP_CONCAT(d.domain_id) FROM web_admin_domain d WHERE d.admin_id = s.admin_id) "
        "AS domains "
        "FROM web_session s LEFT JOIN web_admin a ON a.id = s.admin_id "
        "WHERE s.id_hash = UNHEX(?) AND s.last_seen_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND "
        "AND s.created_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND "
        "AND (s.pending IS NULL OR s.created_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND)",
        {hash_hex(cookie), std::int64_t{timeouts_.idle.count()},
         std::int64_t{timeouts_.max_age.count()}, std::int64_t{kPendingSessionLifetime.count()}});
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    Session s;
    s.cookie = cookie;
    s.csrf_token = r.str("csrf_token");
    if (!r.is_null("admin_id")) {
        s.admin_id = r.i64("admin_id");
        s.login = r.str("login");
        s.superadmin = r.str("role") == "superadmin";
        s.pending = r.opt_str("pending").value_or("");
        const std::string list = r.opt_str("domains").value_or("");
        size_t start = 0;
        while (start < list.size()) {
            size_t end = list.find(',', start);
            if (end == std::string::npos) end = list.size();
            s.domain_ids.push_back(std::stoll(list.substr(start, end - start)));
            start = end + 1;
        }
    }
    // Idle time is counted in minutes: one write a minute at most per session.
    if (r.boolean("stale"))
        db_.execute(
            "UPDATE web_session SET last_seen_at = UTC_TIMESTAMP(6) WHERE id_hash = UNHEX(?)",
            {hash_hex(cookie)});
    return s;
}

Session SessionStore::create(std::optional<std::int64_t> admin_id,
                             const std::string& client_address, const std::string& pending) {
    Session s;
    s.cookie = random_token(32);
    s.csrf_token = random_token(32);
    s.admin_id = admin_id;
    s.pending = pending;
    db_.execute(
        "INSERT INTO web_session (id_hash, admin_id, pending, csrf_token, client_address, "
        "created_at, last_seen_at) VALUES (UNHEX(?), ?, ?, ?, ?, UTC_TIMESTAMP(6), "
        "UTC_TIMESTAMP(6))",
        {hash_hex(s.cookie), admin_id ? db::Param(*admin_id) : db::Param(nullptr),
         pending.empty() ? db::Param(nullptr) : db::Param(pending), s.csrf_token, client_address});
    // Expired rows of anyone are removed now and then (1 in 64 creations).
    if (s.cookie[0] == '0' && s.cookie[1] < '4')
        db_.execute(
            "DELETE FROM web_session WHERE last_seen_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND "
            "OR created_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND",
            {std::int64_t{timeouts_.idle.count()}, std::int64_t{timeouts_.max_age.count()}});
    return s;
}

Session SessionStore::create_anonymous(const std::string& client_address) {
    return create(std::nullopt, client_address);
}

Session SessionStore::login(const std::string& old_cookie, std::int64_t admin_id,
                            const std::string& client_address, const std::string& pending) {
    if (well_formed_session_cookie(old_cookie)) destroy(old_cookie);
    Session s = create(admin_id, client_address, pending);
    return *find(s.cookie);
}

void SessionStore::destroy(const std::string& cookie) {
    if (!well_formed_session_cookie(cookie)) return;
    db_.execute("DELETE FROM web_session WHERE id_hash = UNHEX(?)", {hash_hex(cookie)});
}

}  // namespace boxwarden::web
