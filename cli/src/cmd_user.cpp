// user add / list / set-display-name / activity-access / password: plain SQL
// on user_account; the triggers check the login.
#include "boxwarden/password.h"
#include "commands.h"
#include "context.h"
#include "notify.h"
#include "password_input.h"

namespace boxwarden::cli {

namespace {

std::string lock_login(Context& ctx, const std::string& login, std::int64_t& id) {
    id = lock_user(ctx.db(), login);
    return ctx.db().query("SELECT login FROM user_account WHERE id = ?", {id})[0].str("login");
}

int user_add(Context& ctx, const ParsedArgs& a) {
    const std::string display = a.get("display-name").value_or("");
    require_display_text(display, "the display name", 255);
    const bool access = a.has("activity-access");
    std::string login;
    ctx.transaction([&] {
        ctx.db().execute(
            "INSERT INTO user_account (login, display_name, activity_access) VALUES (?, ?, ?)",
            {a.arg(0), display, std::int64_t{access ? 1 : 0}});
        login = ctx.db().query("SELECT login FROM user_account WHERE id = LAST_INSERT_ID()")[0].str(
            "login");
    });
    ctx.done(Json::object().set("login", login).set("action", "added"), "added user " + login);
    return kExitOk;
}

int user_list(Context& ctx, const ParsedArgs&) {
    Json out = Json::array();
    for (const auto& r :
         ctx.db().query("SELECT u.login, u.display_name, u.activity_access, u.password_hash IS NOT "
                        "NULL AS pw, "
                        "(SELECT GROUP_CONCAT(m.address ORDER BY m.address SEPARATOR ', ') "
                        " FROM mailbox_assignment a JOIN mailbox m ON m.id = a.mailbox_id "
                        " WHERE a.user_id = u.id AND a.unassigned_at IS NULL) AS mailboxes "
                        "FROM user_account u ORDER BY u.login"))
        out.push(Json::object()
                     .set("login", r.str("login"))
                     .set("display_name", r.str("display_name"))
                     .set("activity_access", r.boolean("activity_access"))
                     .set("password_set", r.boolean("pw"))
                     .set("mailboxes", r.opt_str("mailboxes").value_or("")));
    ctx.print(out);
    return kExitOk;
}

int user_set_display_name(Context& ctx, const ParsedArgs& a) {
    require_display_text(a.arg(1), "the display name", 255);
    std::string login;
    ctx.transaction([&] {
        std::int64_t id = 0;
        login = lock_login(ctx, a.arg(0), id);
        ctx.db().execute("UPDATE user_account SET display_name = ? WHERE id = ?", {a.arg(1), id});
    });
    ctx.done(Json::object().set("login", login).set("action", "display name set"),
             "set the display name of " + login);
    return kExitOk;
}

int user_activity_access(Context& ctx, const ParsedArgs& a) {
    const bool on = parse_on_off(a.arg(1), "activity access");
    std::string login;
    ctx.transaction([&] {
        std::int64_t id = 0;
        login = lock_login(ctx, a.arg(0), id);
        ctx.db().execute("UPDATE user_account SET activity_access = ? WHERE id = ?",
                         {std::int64_t{on ? 1 : 0}, id});
    });
    ctx.done(Json::object()
                 .set("login", login)
                 .set("action", on ? "activity access on" : "activity access off"),
             std::string("activity access ") + (on ? "on" : "off") + " for " + login);
    return kExitOk;
}

int user_password(Context& ctx, const ParsedArgs& a) {
    const std::string password = read_new_password(ctx);
    const std::string hash = hash_password(password, configured_scheme(ctx));
    std::string login;
    ctx.transaction([&] {
        std::int64_t id = 0;
        login = lock_login(ctx, a.arg(0), id);
        ctx.db().execute("UPDATE user_account SET password_hash = ? WHERE id = ?", {hash, id});
    });
    // The user's master logins are cached under the login.
    admin::Env env = ctx.env();
    const admin::DovecotNotice notice = admin::notify_dovecot(env, {login}, std::nullopt);
    ctx.done(Json::object()
                 .set("login", login)
                 .set("action", "password set")
                 .set("dovecot", dovecot_report(notice)),
             "password set for user " + login);
    return notice.failed ? kExitError : kExitOk;
}

}  // namespace

void add_user_commands(std::vector<CommandSpec>& out) {
    out.push_back({"user add",
                   {{"LOGIN"}},
                   {{"display-name", "NAME", "the user's own name (basic data)"},
                    {"activity-access", "", "let the user see non-VIP activity"}},
                   "add a user (login: a-z 0-9 . _ -, no @)",
                   "",
                   user_add});
    out.push_back({"user list", {}, {}, "list users with their current mailboxes", "", user_list});
    out.push_back({"user set-display-name",
                   {{"LOGIN"}, {"NAME"}},
                   {},
                   "set the user's own name (used as From name when a mailbox has no email name)",
                   "",
                   user_set_display_name});
    out.push_back({"user activity-access",
                   {{"LOGIN"}, {"on|off"}},
                   {},
                   "allow or deny seeing non-VIP activity",
                   "",
                   user_activity_access});
    out.push_back(
        {"user password",
         {{"LOGIN"}},
         {},
         "set the user's own password from stdin (for master logins to assigned mailboxes)",
         "Reads the password from stdin (without one trailing line end; on a terminal it is "
         "asked for twice without echo), applies the strength rule, stores the hash and flushes "
         "Dovecot's auth cache for LOGIN.",
         user_password});
}

}  // namespace boxwarden::cli
