#include "app.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <kainjow/mustache.hpp>
#include <mutex>
#include <sstream>

#include "boxwarden/admin.h"
#include "boxwarden/admin_delivery.h"
#include "boxwarden/admin_totp.h"
#include "boxwarden/delivery_verdict.h"
#include "boxwarden/password.h"
#include "form.h"
#include "i18n.h"
#include "security.h"
#include "settings_screens.h"
#include "setup_downloads.h"
#include "totp_login.h"

namespace boxwarden::web {

namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;

constexpr const char* kSessionCookie = "bw_session";
constexpr size_t kPageSize = 50;

// Mustache has no bool constructor: a section flag.
data flag(bool b) {
    return data(b ? data::type::bool_true : data::type::bool_false);
}

// An answer other than the page: status and the text key shown.
struct HttpError {
    int status;
    std::string key;
};

std::string read_text_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error(p.string() + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// "2026-11-27 11:26:35.123456" -> "2026-11-27 11:26:35 UTC".
std::string show_time(const std::optional<std::string>& v) {
    if (!v) return "";
    return v->substr(0, 19) + " UTC";
}

// A LIKE pattern matching values that start with `text`, with % _ \ taken
// literally. A prefix (not a substring) so the indexes on address and
// email_name answer it: a substring search reads all 100,000 rows.
std::string like_prefix(const std::string& text) {
    std::string p;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') p += '\\';
        p += c;
    }
    p += '%';
    return p;
}

std::optional<std::int64_t> parse_id(const std::string& s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    return std::stoll(s);
}

// Path segments: "/mailbox/12/vip" -> {"mailbox","12","vip"}.
std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// One request's state.
struct Ctx {
    const Request& req;
    db::Connection& db;
    std::optional<Session> session;
    std::string lang;
    std::vector<std::pair<std::string, std::string>> set_cookies;
    std::vector<std::string> warnings;  // from the admin library (Dovecot, ...)

    bool superadmin() const { return session && session->superadmin; }
};

}  // namespace

struct App::Impl {
    const Config& config;
    AppSettings settings;
    std::map<std::string, std::string> templates;  // name -> text
    std::map<std::string, data> text_data;         // language -> {key: text}
    std::string dummy_hash;  // verified against when a login is unknown (same time)

    Impl(const Config& c, AppSettings s) : config(c), settings(std::move(s)) {
        const std::filesystem::path dir = std::filesystem::path(settings.share_dir) / "templates";
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.path().extension() == ".mustache")
                templates[e.path().stem().string()] = read_text_file(e.path());
        for (const char* lang : {"en", "de"}) {
            data t{data::type::object};
            for (const auto& [k, v] : texts(lang)) t.set(k, v);
            text_data.emplace(lang, t);
        }
        dummy_hash = hash_password(random_token(16), PasswordScheme::Argon2id);
    }

    db::Connection& connection() {
        thread_local std::unique_ptr<db::ThreadScope> scope;
        thread_local std::unique_ptr<db::Connection> conn;
        if (!scope) scope = std::make_unique<db::ThreadScope>();
        if (!conn || conn->broken())
            conn = std::make_unique<db::Connection>(db::params_from_config(config));
        return *conn;
    }

    // ---- rendering ---------------------------------------------------------

    Response render(Ctx& ctx, const std::string& name, data page, int status = 200) {
        auto it = templates.find(name);
        if (it == templates.end()) throw std::runtime_error("template " + name + " missing");
        page.set("t", text_data.at(ctx.lang));
        page.set("lang", ctx.lang);
        if (ctx.session) page.set("csrf", ctx.session->csrf_token);
        if (ctx.session && ctx.session->fully_logged_in()) {
            page.set("logged_in", flag(true));
            page.set("admin_login", ctx.session->login);
            page.set("superadmin", flag(ctx.session->superadmin));
        }
        data warnings{data::type::list};
        for (const auto& w : ctx.warnings) warnings.push_back(data(w));
        page.set("warnings", warnings);
        page.set("back_path", ctx.req.path);
        mustache inner(it->second);
        const std::string body = inner.render(page);
        data outer = page;
        outer.set("content", body);
        mustache layout(templates.at("layout"));
        Response r;
        r.status = status;
        r.body = layout.render(outer);
        r.no_store = true;
        return r;
    }

    Response error_page(Ctx& ctx, int status, const std::string& key) {
        data page{data::type::object};
        page.set("message", text(ctx.lang, key));
        page.set("status", std::to_string(status));
        return render(ctx, "error", page, status);
    }

    // ---- audit and scope -----------------------------------------------------

    void audit(Ctx& ctx, const std::string& action, const std::string& object,
               std::optional<std::int64_t> domain_id, const std::string& detail = "") {
        ctx.db.execute(
            "CALL web_audit_record(?, ?, ?, ?, ?, ?)",
            {ctx.session ? ctx.session->login : std::string(), ctx.req.client_address, action,
             object, domain_id ? db::Param(*domain_id) : db::Param(nullptr), detail});
    }

    // " AND <column> IN (...)" for a domain admin; nothing for a superadmin.
    std::string scope(Ctx& ctx, const std::string& column, std::vector<db::Param>& params) {
        if (ctx.superadmin()) return "";
        if (ctx.session->domain_ids.empty()) return " AND 1 = 0";
        std::string s = " AND " + column + " IN (";
        for (size_t i = 0; i < ctx.session->domain_ids.size(); ++i) {
            s += i ? ", ?" : "?";
            params.emplace_back(ctx.session->domain_ids[i]);
        }
        return s + ")";
    }

    bool in_scope(Ctx& ctx, std::int64_t domain_id) {
        if (ctx.superadmin()) return true;
        for (auto d : ctx.session->domain_ids)
            if (d == domain_id) return true;
        return false;
    }

    struct MailboxKey {
        std::int64_t id = 0, domain_id = 0;
        std::string address;
    };

    // The mailbox of an id from the URL: 404 when there is none, 403 when it
    // is outside the admin's domains.
    MailboxKey mailbox_of(Ctx& ctx, const std::string& id_text) {
        const auto id = parse_id(id_text);
        if (!id) throw HttpError{404, "not_found"};
        auto rows = ctx.db.query("SELECT id, domain_id, address FROM mailbox WHERE id = ?", {*id});
        if (rows.empty()) throw HttpError{404, "not_found"};
        MailboxKey k{rows[0].i64("id"), rows[0].i64("domain_id"), rows[0].str("address")};
        if (!in_scope(ctx, k.domain_id)) throw HttpError{403, "forbidden"};
        return k;
    }

    admin::Env env(Ctx& ctx) {
        return admin::Env{ctx.db, config,
                          [&ctx](const std::string& m) { ctx.warnings.push_back(m); }};
    }

    // ---- login -------------------------------------------------------------------

    Response login_form(Ctx& ctx, const std::string& error_key, int status = 200) {
        if (!ctx.session || ctx.session->admin_id) {
            SessionStore store(ctx.db, settings.timeouts);
            ctx.session = store.create_anonymous(ctx.req.client_address);
            ctx.set_cookies.emplace_back(kSessionCookie, ctx.session->cookie);
        }
        data page{data::type::object};
        if (!error_key.empty()) page.set("error", text(ctx.lang, error_key));
        return render(ctx, "login", page, status);
    }

    // Failures within the window of this login and of the client address.
    ThrottleVerdict throttle_of(Ctx& ctx, const std::string& login_name) {
        auto counts = ctx.db.query(
            "SELECT (SELECT COUNT(*) FROM web_login_failure WHERE login = LOWER(TRIM(?)) AND "
            "failed_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_login, "
            "(SELECT COUNT(*) FROM web_login_failure WHERE client_address = ? AND "
            "failed_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_address",
            {login_name, std::int64_t{settings.failure_window.count()}, ctx.req.client_address,
             std::int64_t{settings.failure_window.count()}});
        return decide_login_throttle(counts[0].i64("by_login"), counts[0].i64("by_address"),
                                     settings.throttle);
    }

    // Counts a failed password or code for the throttle and logs its line.
    void record_login_failure(Ctx& ctx, const std::string& login_name, const std::string& line) {
        ctx.db.execute(
            "INSERT INTO web_login_failure (login, client_address, failed_at) "
            "VALUES (LOWER(TRIM(?)), ?, UTC_TIMESTAMP(6))",
            {login_name, ctx.req.client_address});
        std::cerr << "boxwarden-web: " << line << std::endl;
    }

    Response login(Ctx& ctx, const Form& form) {
        const std::string login_name = form.get("login").substr(0, 64);
        const std::string password = form.get("password");
        const auto& addr = ctx.req.client_address;
        const ThrottleVerdict verdict = throttle_of(ctx, login_name);
        auto fail = [&](ThrottleVerdict v) {
            record_login_failure(ctx, login_name, login_failure_log_line(addr, login_name, v));
            return login_form(ctx, v == ThrottleVerdict::Allow ? "login_failed" : "login_throttled",
                              v == ThrottleVerdict::Allow ? 200 : 429);
        };
        if (verdict != ThrottleVerdict::Allow) return fail(verdict);
        auto rows = ctx.db.query(
            "SELECT id, password_hash FROM web_admin WHERE login = LOWER(TRIM(?))", {login_name});
        const bool ok = rows.empty() ? (verify_password(password, dummy_hash), false)
                                     : verify_password(password, rows[0].str("password_hash"));
        if (!ok) return fail(ThrottleVerdict::Allow);
        const std::int64_t admin_id = rows[0].i64("id");
        // With a second factor (or an enrolment) due, the new session is
        // pending: it opens only that step (gate_pending_session).
        const std::string step = step_after_password(
            admin::web_admin_totp_enabled(ctx.db, admin_id), settings.require_totp);
        if (step == "enrol") {
            admin::Env e = env(ctx);
            admin::start_web_admin_totp_enrolment(e, admin_id);
        }
        SessionStore store(ctx.db, settings.timeouts);
        ctx.session = store.login(ctx.session ? ctx.session->cookie : "", admin_id, addr, step);
        ctx.set_cookies.emplace_back(kSessionCookie, ctx.session->cookie);
        if (!step.empty()) return Response::redirect(pending_step_path(step));
        audit(ctx, "login", ctx.session->login, std::nullopt);
        return Response::redirect("/mailboxes");
    }

    // ---- second login step (TOTP code or recovery code; enrolment) ---------------

    Response second_step_page(Ctx& ctx, const std::string& error_key, int status = 200) {
        data page{data::type::object};
        if (!error_key.empty()) page.set("error", text(ctx.lang, error_key));
        if (ctx.session->pending != "enrol") return render(ctx, "login_totp", page, status);
        admin::Env e = env(ctx);
        const auto secret = admin::pending_web_admin_totp(e, *ctx.session->admin_id);
        if (!secret) throw HttpError{409, "bad_request"};
        page.set("secret", secret->secret_base32);
        page.set("otpauth_uri", secret->otpauth_uri);
        return render(ctx, "login_enrol", page, status);
    }

    Response second_step(Ctx& ctx, const Form& form) {
        const std::string login_name = ctx.session->login;
        const std::int64_t admin_id = *ctx.session->admin_id;
        const auto& addr = ctx.req.client_address;
        SessionStore store(ctx.db, settings.timeouts);
        auto fail = [&](ThrottleVerdict v, const std::string& key) {
            record_login_failure(ctx, login_name,
                                 second_factor_failure_log_line(addr, login_name, v));
            if (v == ThrottleVerdict::Allow) return second_step_page(ctx, key);
            // Throttled: the pending session ends; the password comes first again.
            store.destroy(ctx.session->cookie);
            ctx.session.reset();
            return login_form(ctx, "login_throttled", 429);
        };
        const ThrottleVerdict verdict = throttle_of(ctx, login_name);
        if (verdict != ThrottleVerdict::Allow) return fail(verdict, "");
        const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        admin::Env e = env(ctx);
        std::optional<admin::TotpEnrolment> enrolled;
        std::string detail;
        if (ctx.session->pending == "enrol") {
            enrolled = admin::confirm_web_admin_totp(e, admin_id, form.get("code"), now);
            if (!enrolled) return fail(ThrottleVerdict::Allow, "code_wrong");
            detail.append("with TOTP");
        } else {
            const auto r = admin::check_web_admin_second_factor(e, admin_id, form.get("code"), now);
            if (r.verdict == admin::SecondFactor::Replayed)
                return fail(ThrottleVerdict::Allow, "code_used");
            if (r.verdict == admin::SecondFactor::Wrong)
                return fail(ThrottleVerdict::Allow, "code_wrong");
            if (r.verdict == admin::SecondFactor::TotpAccepted) {
                detail.append("with TOTP");
            } else {
                detail.append("with a recovery code (")
                    .append(std::to_string(r.recovery_codes_left))
                    .append(" left)");
            }
        }
        // Fully logged in: a new session (new id, new CSRF token).
        ctx.session = store.login(ctx.session->cookie, admin_id, addr);
        ctx.set_cookies.emplace_back(kSessionCookie, ctx.session->cookie);
        if (enrolled) audit(ctx, "totp enabled", login_name, std::nullopt, "on the page");
        audit(ctx, "login", login_name, std::nullopt, detail);
        if (!enrolled) return Response::redirect("/mailboxes");
        data codes{data::type::list};
        for (const auto& c : enrolled->recovery_codes) codes.push_back(data(c));
        data page{data::type::object};
        page.set("codes", codes);
        return render(ctx, "totp_codes", page);
    }

    // ---- mailbox list ----------------------------------------------------------------

    data domain_list(Ctx& ctx, const std::string& selected) {
        std::vector<db::Param> params;
        const std::string sql = "SELECT id, name FROM domain d WHERE 1 = 1" +
                                scope(ctx, "d.id", params) + " ORDER BY name";
        data list{data::type::list};
        for (const auto& r : ctx.db.query(sql, params)) {
            data d{data::type::object};
            d.set("id", r.str("id"));
            d.set("name", r.str("name"));
            d.set("selected", flag(r.str("id") == selected || r.str("name") == selected));
            list.push_back(d);
        }
        return list;
    }

    Response mailbox_list(Ctx& ctx, const std::string& notice_key = "") {
        const std::string q = ctx.req.param("q").substr(0, 320);
        const std::string domain = ctx.req.param("domain");
        const bool inactive = ctx.req.param("inactive") == "1";
        const bool vip = ctx.req.param("vip") == "1";
        const std::string after = ctx.req.param("after").substr(0, 320);
        std::vector<db::Param> params;
        std::string sql =
            "SELECT m.id, m.address, m.active, m.vip, m.email_name, "
            "(m.ooo_enabled = 1 AND (m.ooo_start IS NULL OR m.ooo_start <= UTC_TIMESTAMP(6)) AND "
            "(m.ooo_end IS NULL OR m.ooo_end > UTC_TIMESTAMP(6))) AS ooo_now, "
            "(SELECT COUNT(*) FROM mailbox_assignment x WHERE x.mailbox_id = m.id AND "
            "x.unassigned_at IS NULL) AS users FROM mailbox m WHERE 1 = 1";
        sql += scope(ctx, "m.domain_id", params);
        if (auto d = parse_id(domain)) {
            sql += " AND m.domain_id = ?";
            params.emplace_back(*d);
        }
        if (inactive) sql += " AND m.active = 0";
        if (vip) sql += " AND m.vip = 1";
        if (!q.empty()) {
            sql += " AND (m.address LIKE ? OR m.email_name LIKE ?)";
            params.emplace_back(like_prefix(q));
            params.emplace_back(like_prefix(q));
        }
        if (!after.empty()) {
            sql += " AND m.address > ?";
            params.emplace_back(after);
        }
        // Keyset paging on the unique address index: a late page costs what
        // the first one costs.
        sql += " ORDER BY m.address LIMIT " + std::to_string(kPageSize + 1);
        auto rows = ctx.db.query(sql, params);
        data list{data::type::list};
        std::string last;
        for (size_t i = 0; i < rows.size() && i < kPageSize; ++i) {
            const auto& r = rows[i];
            data m{data::type::object};
            m.set("id", r.str("id"));
            m.set("address", r.str("address"));
            m.set("active", flag(r.boolean("active")));
            m.set("vip", flag(r.boolean("vip")));
            m.set("ooo_now", flag(r.boolean("ooo_now")));
            m.set("email_name", r.opt_str("email_name").value_or(""));
            m.set("users", r.str("users"));
            list.push_back(m);
            last = r.str("address");
        }
        data page{data::type::object};
        page.set("mailboxes", list);
        page.set("empty", flag(rows.empty()));
        page.set("q", q);
        page.set("inactive", flag(inactive));
        page.set("vip", flag(vip));
        page.set("domains", domain_list(ctx, domain));
        if (!notice_key.empty()) page.set("notice", text(ctx.lang, notice_key));
        std::string base = "/mailboxes?q=" + url_encode(q) + "&domain=" + url_encode(domain) +
                           (inactive ? "&inactive=1" : "") + (vip ? "&vip=1" : "");
        if (rows.size() > kPageSize) page.set("next_url", base + "&after=" + url_encode(last));
        if (!after.empty()) page.set("first_url", base);
        return render(ctx, "mailboxes", page);
    }

    Response bulk(Ctx& ctx, const Form& form) {
        const std::string action = form.get("action");
        if (action != "activate" && action != "deactivate") throw HttpError{400, "bad_request"};
        // Check every id first: one foreign id refuses the whole request.
        std::vector<MailboxKey> keys;
        for (const auto& id : form.all("id")) keys.push_back(mailbox_of(ctx, id));
        admin::Env e = env(ctx);
        for (const auto& k : keys) {
            admin::set_mailbox_active(e, k.address, action == "activate");
            audit(ctx, action == "activate" ? "mailbox activated" : "mailbox deactivated",
                  k.address, k.domain_id);
        }
        return Response::redirect("/mailboxes?done=1");
    }

    // ---- create ---------------------------------------------------------------------

    Response create_form(Ctx& ctx, const std::string& domain, const std::string& local,
                         const std::string& error, int status = 200) {
        data page{data::type::object};
        data domains = domain_list(ctx, domain);
        page.set("domains", domains);
        page.set("no_domains", flag(domains.is_empty_list()));
        page.set("local_part", local);
        if (!error.empty()) page.set("error", error);
        return render(ctx, "new_mailbox", page, status);
    }

    Response create(Ctx& ctx, const Form& form) {
        const std::string domain = form.get("domain");
        const std::string local = form.get("local_part");
        // The picker sends domain names; a name outside the admin's domains
        // is refused for a domain admin before the database sees it.
        auto rows = ctx.db.query("SELECT id FROM domain WHERE name = LOWER(TRIM(?))", {domain});
        if (!ctx.superadmin() && (rows.empty() || !in_scope(ctx, rows[0].i64("id"))))
            throw HttpError{403, "forbidden"};
        admin::Env e = env(ctx);
        try {
            const admin::MailboxRef m =
                admin::create_mailbox(e, local + "@" + domain, std::nullopt, false, true);
            audit(ctx, "mailbox created", m.address,
                  rows.empty() ? std::nullopt : std::optional<std::int64_t>(rows[0].i64("id")));
            return Response::redirect("/mailbox/" + std::to_string(m.id) + "?done=1");
        } catch (const db::RuleViolation& ex) {
            return create_form(ctx, domain, local, ex.what(), 422);
        } catch (const admin::Refusal& ex) {
            return create_form(ctx, domain, local, ex.what(), 422);
        }
    }

    // ---- detail -------------------------------------------------------------------------

    Response detail(Ctx& ctx, const MailboxKey& k, const std::map<std::string, std::string>& errors,
                    int status = 200) {
        std::string sql =
            "SELECT m.address, m.email_name, m.vip, m.ooo_enabled, "
            "m.ooo_subject, m.ooo_body, m.ooo_start, m.ooo_end, m.ooo_interval_days, "
            "m.password_enc IS NOT NULL AS can_show, ";
        sql += admin::kStoredDeliveryFactsColumns;
        sql += " FROM mailbox m WHERE m.id = ?";
        auto rows = ctx.db.query(sql, {k.id});
        if (rows.empty()) throw HttpError{404, "not_found"};
        const auto& r = rows[0];
        data page{data::type::object};
        page.set("id", std::to_string(k.id));
        page.set("address", r.str("address"));
        page.set("active", flag(r.boolean("active")));
        page.set("deactivated_at", show_time(r.opt_str("deactivated_at")));
        page.set("email_name", r.opt_str("email_name").value_or(""));
        page.set("vip", flag(r.boolean("vip")));
        page.set("ooo_enabled", flag(r.boolean("ooo_enabled")));
        page.set("ooo_subject", r.opt_str("ooo_subject").value_or(""));
        page.set("ooo_body", r.opt_str("ooo_body").value_or(""));
        page.set("ooo_start", r.opt_str("ooo_start").value_or("").substr(0, 16));
        page.set("ooo_end", r.opt_str("ooo_end").value_or("").substr(0, 16));
        page.set("ooo_interval", r.str("ooo_interval_days"));
        page.set("can_show", flag(r.boolean("can_show")));
        // The verdict policyd and the Dovecot plugin reach from these facts.
        const DeliveryDecision d = admin::delivery_verdict_from_stored_facts(r);
        page.set("delivery", d.verdict == DeliveryVerdict::Deliver ? std::string("250 accepted")
                                                                   : admin::smtp_reply_text(d));
        data users{data::type::list};
        for (const auto& u : ctx.db.query(
                 "SELECT u.login, u.display_name, a.assigned_at FROM mailbox_assignment a JOIN "
                 "user_account u ON u.id = a.user_id WHERE a.mailbox_id = ? AND a.unassigned_at IS "
                 "NULL ORDER BY u.login",
                 {k.id})) {
            data x{data::type::object};
            x.set("login", u.str("login"));
            x.set("display_name", u.str("display_name"));
            x.set("assigned_at", show_time(u.opt_str("assigned_at")));
            users.push_back(x);
        }
        page.set("users", users);
        data history{data::type::list};
        for (const auto& h : ctx.db.query(
                 "SELECT u.login, a.assigned_at, a.unassigned_at FROM mailbox_assignment a JOIN "
                 "user_account u ON u.id = a.user_id WHERE a.mailbox_id = ? ORDER BY "
                 "a.assigned_at, "
                 "a.id",
                 {k.id})) {
            data x{data::type::object};
            x.set("login", h.str("login"));
            x.set("assigned_at", show_time(h.opt_str("assigned_at")));
            x.set("unassigned_at", show_time(h.opt_str("unassigned_at")));
            history.push_back(x);
        }
        page.set("history", history);
        data all_users{data::type::list};
        for (const auto& u :
             ctx.db.query("SELECT login FROM user_account ORDER BY login LIMIT 1000"))
            all_users.push_back(data(u.str("login")));
        page.set("all_users", all_users);
        try {
            const MailClientHosts h = admin::hosts_from_config(config);
            data hosts{data::type::list};
            auto add = [&](const char* proto, const std::string& host, int port,
                           const std::string& sec) {
                data x{data::type::object};
                x.set("proto", proto);
                x.set("host", host);
                x.set("port", std::to_string(port));
                x.set("security", sec);
                hosts.push_back(x);
            };
            add("IMAP", h.imap_host, h.imap_port, h.imap_security);
            add("POP3", h.pop3_host, h.pop3_port, h.pop3_security);
            add("SMTP", h.smtp_host, h.smtp_port, h.smtp_security);
            page.set("hosts", hosts);
        } catch (const ConfigError& e) {
            ctx.warnings.push_back(e.what());
        }
        for (const auto& [field, message] : errors) page.set("error_" + field, message);
        if (ctx.req.param("done") == "1") page.set("notice", text(ctx.lang, "done"));
        return render(ctx, "mailbox", page, status);
    }

    Response password_page(Ctx& ctx, const MailboxKey& k, const std::string& password) {
        data page{data::type::object};
        page.set("id", std::to_string(k.id));
        page.set("address", k.address);
        page.set("password", password);
        return render(ctx, "password", page);
    }

    bool admin_password_ok(Ctx& ctx, const std::string& password) {
        auto rows = ctx.db.query("SELECT password_hash FROM web_admin WHERE id = ?",
                                 {*ctx.session->admin_id});
        return !rows.empty() && verify_password(password, rows[0].str("password_hash"));
    }

    Response mailbox_action(Ctx& ctx, const MailboxKey& k, const std::string& action,
                            const Form& form) {
        admin::Env e = env(ctx);
        const std::string back = "/mailbox/" + std::to_string(k.id) + "?done=1";
        std::string field = action;
        try {
            if (action == "active") {
                const bool on = form.has("active");
                admin::set_mailbox_active(e, k.address, on);
                audit(ctx, on ? "mailbox activated" : "mailbox deactivated", k.address,
                      k.domain_id);
            } else if (action == "email-name") {
                const std::string name = form.get("email_name");
                if (form.has("clear") || name.empty()) {
                    admin::set_email_name(e, k.address, std::nullopt);
                    audit(ctx, "email name cleared", k.address, k.domain_id);
                } else {
                    admin::set_email_name(e, k.address, name);
                    audit(ctx, "email name set", k.address, k.domain_id, name);
                }
            } else if (action == "vip") {
                const bool on = form.has("vip");
                admin::set_vip(e, k.address, on);
                audit(ctx, on ? "vip on" : "vip off", k.address, k.domain_id);
            } else if (action == "ooo") {
                if (!form.has("enabled")) {
                    admin::disable_ooo(e, k.address);
                    audit(ctx, "out-of-office disabled", k.address, k.domain_id);
                } else {
                    admin::OooNote note;
                    note.subject = form.get("subject");
                    note.body = form.get("body");
                    if (note.subject.empty())
                        throw admin::Refusal(text(ctx.lang, "subject") + ": -");
                    auto time_of = [](const std::string& t) -> std::optional<std::string> {
                        if (t.empty()) return std::nullopt;
                        std::string s = t;
                        if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
                        if (s.size() == 10) s += " 00:00";
                        if (s.size() == 16) s += ":00";
                        if (s.size() != 19 || !db::parse_sql_datetime(s))
                            throw admin::Refusal("time '" + t + "' is not YYYY-MM-DD HH:MM (UTC)");
                        return s;
                    };
                    note.start_text = form.get("start");
                    note.end_text = form.get("end");
                    note.start_sql = time_of(note.start_text);
                    note.end_sql = time_of(note.end_text);
                    if (auto i = parse_id(form.get("interval"))) note.interval_days = *i;
                    admin::enable_ooo(e, k.address, note);
                    audit(ctx, "out-of-office enabled", k.address, k.domain_id);
                }
            } else if (action == "assign") {
                const auto c = admin::assign_user(e, k.address, form.get("login"));
                audit(ctx, "user assigned", k.address, k.domain_id, c.login);
            } else if (action == "unassign") {
                const auto c = admin::unassign_user(e, k.address, form.get("login"));
                audit(ctx, "user unassigned", k.address, k.domain_id, c.login);
            } else if (action == "show-password") {
                if (!admin_password_ok(ctx, form.get("admin_password"))) {
                    audit(ctx, "password show refused", k.address, k.domain_id,
                          "wrong admin password");
                    return detail(ctx, k,
                                  {{"show_password", text(ctx.lang, "wrong_admin_password")}}, 403);
                }
                const auto shown = admin::show_password(e, k.address);
                audit(ctx, "password shown", k.address, k.domain_id);
                return password_page(ctx, k, shown.password);
            } else if (action == "generate-password") {
                const std::string password = generate_password();
                admin::store_password(e, k.address, password);
                audit(ctx, "password generated", k.address, k.domain_id);
                return password_page(ctx, k, password);
            } else if (action == "access-data") {
                admin::AccessDataOrder order;
                order.address = k.address;
                order.recipient = form.get("to");
                order.language = form.get("language") == "de" ? "de" : "en";
                order.with_password = form.has("with_password");
                const auto sent = admin::send_access_data(e, order);
                audit(ctx, "access data sent", k.address, k.domain_id,
                      "to " + sent.recipient + (sent.with_password ? " with password" : ""));
            } else {
                throw HttpError{404, "not_found"};
            }
        } catch (const db::RuleViolation& ex) {
            return detail(ctx, k, {{field, ex.what()}}, 422);
        } catch (const admin::Refusal& ex) {
            return detail(ctx, k, {{field, ex.what()}}, 422);
        } catch (const admin::ToolError& ex) {
            return detail(ctx, k, {{field, ex.what()}}, 502);
        }
        if (!ctx.warnings.empty()) return detail(ctx, k, {});
        return Response::redirect(back);
    }

    // ---- settings, activity, audit -----------------------------------------------------

    Response settings_page(Ctx& ctx, const std::string& error,
                           const std::map<std::string, std::string>& directory_errors = {}) {
        if (!ctx.superadmin()) throw HttpError{403, "forbidden"};
        data page{data::type::object};
        add_directory_lists(page, ctx.db);  // Settings » Other: domains, users
        for (const auto& [key, value] : directory_errors) page.set(key, value);
        for (const auto& r : ctx.db.query("SELECT name, value FROM setting")) {
            if (r.str("name") == "vip_unprotected_cc_bcc")
                page.set("cc_bcc", flag(r.str("value") == "1"));
            if (r.str("name") == "delivery_grace_seconds") page.set("grace", r.str("value"));
        }
        if (!error.empty()) page.set("error", error);
        if (ctx.req.param("done") == "1") page.set("notice", text(ctx.lang, "done"));
        return render(ctx, "settings", page, error.empty() && directory_errors.empty() ? 200 : 422);
    }

    // POST /settings/ACTION: a domain or user change (settings_screens.h).
    Response settings_directory_action(Ctx& ctx, const std::string& action, const Form& form) {
        if (!ctx.superadmin()) throw HttpError{403, "forbidden"};
        const auto section = directory_section(action);
        if (!section) throw HttpError{404, "not_found"};
        admin::Env e = env(ctx);
        try {
            const DirectoryChange c = apply_directory_change(e, action, form);
            audit(ctx, c.action, c.object, c.domain_id, c.detail);
        } catch (const db::RuleViolation& ex) {
            return settings_page(
                ctx, "", {{"error_" + *section, ex.what()}, {"new_domain", form.get("domain")}});
        } catch (const admin::Refusal& ex) {
            return settings_page(
                ctx, "", {{"error_" + *section, ex.what()}, {"new_domain", form.get("domain")}});
        }
        return Response::redirect("/settings?done=1#" + *section);
    }

    Response save_settings(Ctx& ctx, const Form& form) {
        if (!ctx.superadmin()) throw HttpError{403, "forbidden"};
        admin::Env e = env(ctx);
        try {
            const std::string cc =
                admin::set_setting(e, "vip_unprotected_cc_bcc", form.has("cc_bcc") ? "1" : "0");
            audit(ctx, "setting changed", "vip_unprotected_cc_bcc", std::nullopt, cc);
            const std::string grace =
                admin::set_setting(e, "delivery_grace_seconds", form.get("grace"));
            audit(ctx, "setting changed", "delivery_grace_seconds", std::nullopt, grace);
        } catch (const db::RuleViolation& ex) {
            return settings_page(ctx, ex.what());
        }
        return Response::redirect("/settings?done=1");
    }

    Response activity(Ctx& ctx) {
        const std::string viewer = ctx.req.param("user");
        data page{data::type::object};
        data users{data::type::list};
        for (const auto& u :
             ctx.db.query("SELECT login FROM user_account ORDER BY login LIMIT 1000")) {
            data x{data::type::object};
            x.set("login", u.str("login"));
            x.set("selected", flag(u.str("login") == viewer));
            users.push_back(x);
        }
        page.set("users", users);
        if (!viewer.empty()) {
            page.set("viewer", viewer);
            // Which domains this admin may look into (names, as the rows carry addresses).
            std::vector<std::string> allowed;
            if (!ctx.superadmin()) {
                std::vector<db::Param> params;
                const std::string sql =
                    "SELECT name FROM domain d WHERE 1 = 1" + scope(ctx, "d.id", params);
                for (const auto& r : ctx.db.query(sql, params)) allowed.push_back(r.str("name"));
            }
            auto visible = [&](const std::string& address) {
                if (ctx.superadmin()) return true;
                const std::string dom = address.substr(address.rfind('@') + 1);
                for (const auto& a : allowed)
                    if (a == dom) return true;
                return false;
            };
            data act{data::type::list};
            for (const auto& r : ctx.db.query("CALL visible_activity(?)", {viewer})) {
                if (!visible(r.str("mailbox_address"))) continue;
                data x{data::type::object};
                x.set("time", show_time(r.opt_str("occurred_at")));
                x.set("mailbox", r.str("mailbox_address"));
                x.set("direction", r.str("direction"));
                x.set("sender", r.str("sender"));
                x.set("recipients", r.str("recipients"));
                x.set("subject", r.str("subject"));
                x.set("vip", flag(r.boolean("vip_protected")));
                act.push_back(x);
            }
            page.set("activity", act);
            data agent{data::type::list};
            for (const auto& r : ctx.db.query("CALL visible_agent_log(?)", {viewer})) {
                if (!visible(r.str("mailbox_address"))) continue;
                data x{data::type::object};
                x.set("time", show_time(r.opt_str("occurred_at")));
                x.set("mailbox", r.str("mailbox_address"));
                x.set("login", r.str("login"));
                x.set("action", r.str("action"));
                x.set("vip", flag(r.boolean("vip_protected")));
                agent.push_back(x);
            }
            page.set("agent_log", agent);
        }
        return render(ctx, "activity", page);
    }

    Response audit_page(Ctx& ctx) {
        std::vector<db::Param> params;
        std::string sql =
            "SELECT occurred_at, admin_login, client_address, action, object, detail FROM "
            "web_audit a "
            "WHERE 1 = 1";
        if (!ctx.superadmin()) sql += scope(ctx, "a.domain_id", params);
        sql += " ORDER BY a.id DESC LIMIT 200";
        data rows{data::type::list};
        for (const auto& r : ctx.db.query(sql, params)) {
            data x{data::type::object};
            x.set("time", show_time(r.opt_str("occurred_at")));
            x.set("admin", r.str("admin_login"));
            x.set("from", r.str("client_address"));
            x.set("action", r.str("action"));
            x.set("object", r.str("object"));
            x.set("detail", r.str("detail"));
            rows.push_back(x);
        }
        data page{data::type::object};
        page.set("rows", rows);
        return render(ctx, "audit", page);
    }

    Response static_file(const std::string& name) {
        for (char c : name)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  c == '.'))
                return Response::text(404, "not found\n");
        if (name.empty() || name[0] == '.') return Response::text(404, "not found\n");
        const auto path = std::filesystem::path(settings.share_dir) / "static" / name;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) return Response::text(404, "not found\n");
        Response r;
        r.body = read_text_file(path);
        const auto ext = path.extension().string();
        r.content_type = ext == ".css"   ? "text/css; charset=utf-8"
                         : ext == ".js"  ? "text/javascript; charset=utf-8"
                         : ext == ".png" ? "image/png"
                                         : "application/octet-stream";
        r.headers.emplace_back("Cache-Control", "public, max-age=3600");
        return r;
    }

    // ---- the gate -----------------------------------------------------------------------

    Response route(Ctx& ctx) {
        const auto& req = ctx.req;
        const auto seg = segments(req.path);
        const bool post = req.method == "POST";
        if (req.method != "GET" && !post) return Response::text(405, "method not allowed\n");
        if (!seg.empty() && seg[0] == "static" && seg.size() == 2 && !post)
            return static_file(seg[1]);

        SessionStore store(ctx.db, settings.timeouts);
        if (auto c = req.cookies.find(kSessionCookie); c != req.cookies.end())
            ctx.session = store.find(c->second);

        Form form(post ? std::string_view(req.body) : std::string_view());
        if (post) {
            // Every POST carries the session's CSRF token; nothing is read
            // or changed before it matches.
            if (!ctx.session || !constant_time_equal(form.get("csrf"), ctx.session->csrf_token))
                return error_page(ctx, 403, "bad_request");
        }
        if (ctx.session && ctx.session->admin_id && !ctx.session->pending.empty()) {
            // Half logged in: only the second step, logout and the language.
            switch (gate_pending_session(ctx.session->pending, req.method, req.path)) {
                case PendingGate::RedirectToStep:
                    return Response::redirect(pending_step_path(ctx.session->pending));
                case PendingGate::Forbidden:
                    return error_page(ctx, 403, "bad_request");
                case PendingGate::Pass:
                    break;
            }
            if (seg.size() == 2 && seg[0] == "login")
                return post ? second_step(ctx, form) : second_step_page(ctx, "");
        }
        if (seg.size() == 1 && seg[0] == "login") {
            if (post) return login(ctx, form);
            if (ctx.session && ctx.session->admin_id) return Response::redirect("/mailboxes");
            return login_form(ctx, "");
        }
        if (seg.size() == 1 && seg[0] == "lang" && post) {
            const std::string lang = form.get("lang") == "de" ? "de" : "en";
            ctx.set_cookies.emplace_back("bw_lang", lang);
            std::string back = form.get("back");
            if (back.empty() || back[0] != '/' || (back.size() > 1 && back[1] == '/')) back = "/";
            return Response::redirect(back);
        }
        if (!ctx.session || !ctx.session->admin_id) {
            if (post) return error_page(ctx, 403, "bad_request");
            return Response::redirect("/login");
        }
        if (seg.size() == 1 && seg[0] == "logout" && post) {
            audit(ctx, "logout", ctx.session->login, std::nullopt);
            store.destroy(ctx.session->cookie);
            ctx.session.reset();
            ctx.set_cookies.emplace_back(kSessionCookie, "");
            return Response::redirect("/login");
        }
        if (seg.empty()) return Response::redirect("/mailboxes");
        if (seg[0] == "mailboxes" && seg.size() == 1 && !post)
            return mailbox_list(ctx, req.param("done") == "1" ? "done" : "");
        if (seg[0] == "mailboxes" && seg.size() == 2 && seg[1] == "bulk" && post)
            return bulk(ctx, form);
        if (seg[0] == "mailboxes" && seg.size() == 2 && seg[1] == "new")
            return post ? create(ctx, form) : create_form(ctx, "", "", "");
        if (seg[0] == "mailbox" && seg.size() == 2 && !post)
            return detail(ctx, mailbox_of(ctx, seg[1]), {});
        if (seg[0] == "mailbox" && seg.size() == 3 && post)
            return mailbox_action(ctx, mailbox_of(ctx, seg[1]), seg[2], form);
        if (seg[0] == "mailbox" && seg.size() == 4 && seg[2] == "setup" && !post) {
            const MailboxKey k = mailbox_of(ctx, seg[1]);  // 403 outside the admin's domains
            const auto format = setup_download_format(seg[3]);
            if (!format) return error_page(ctx, 404, "not_found");
            return setup_download(ctx.db, config, *format, k.address);
        }
        if (seg[0] == "settings" && seg.size() == 1)
            return post ? save_settings(ctx, form) : settings_page(ctx, "");
        if (seg[0] == "settings" && seg.size() == 2 && post)
            return settings_directory_action(ctx, seg[1], form);
        if (seg[0] == "activity" && seg.size() == 1 && !post) return activity(ctx);
        if (seg[0] == "audit" && seg.size() == 1 && !post) return audit_page(ctx);
        return error_page(ctx, 404, "not_found");
    }
};

App::App(const Config& config, AppSettings settings)
    : impl_(std::make_unique<Impl>(config, std::move(settings))) {}

App::~App() = default;

Response App::handle(const Request& request) {
    db::Connection& db = impl_->connection();
    auto lang_cookie = request.cookies.find("bw_lang");
    Ctx ctx{request,
            db,
            std::nullopt,
            choose_language(lang_cookie == request.cookies.end() ? "" : lang_cookie->second,
                            request.accept_language),
            {},
            {}};
    Response res;
    try {
        res = impl_->route(ctx);
    } catch (const HttpError& e) {
        res = impl_->error_page(ctx, e.status, e.key);
    } catch (const db::TemporaryFailure& e) {
        std::cerr << "boxwarden-web: database temporarily unavailable: " << e.what() << std::endl;
        res = Response::text(503, "database temporarily unavailable, try again\n");
    }
    for (const auto& [name, value] : ctx.set_cookies) {
        if (name == kSessionCookie)
            res.headers.emplace_back(
                "Set-Cookie",
                session_cookie(name, value, impl_->settings.cookie_secure, value.empty() ? -1 : 0));
        else
            res.headers.emplace_back(
                "Set-Cookie", name + "=" + value + "; Path=/; SameSite=Strict; Max-Age=31536000");
    }
    return res;
}

std::string Request::param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
}

Response Response::redirect(const std::string& location) {
    Response r;
    r.status = 303;
    r.body = "";
    r.headers.emplace_back("Location", location);
    return r;
}

Response Response::text(int status, const std::string& body) {
    Response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = body;
    return r;
}

}  // namespace boxwarden::web
