// user add / list / set-display-name / activity-access / password, through
// the admin library (the same code as the web page's Settings » Other); the
// triggers check the login.
#include "boxwarden/admin_directory.h"
#include "commands.h"
#include "context.h"
#include "notify.h"
#include "password_input.h"

namespace boxwarden::cli {

namespace {

int user_add(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const std::string login = admin::add_user(env, a.arg(0), a.get("display-name").value_or(""),
                                              a.has("activity-access"));
    ctx.done(Json::object().set("login", login).set("action", "added"), "added user " + login);
    return kExitOk;
}

int user_list(Context& ctx, const ParsedArgs&) {
    Json out = Json::array();
    for (const auto& u : admin::list_users(ctx.db()))
        out.push(Json::object()
                     .set("login", u.login)
                     .set("display_name", u.display_name)
                     .set("activity_access", u.activity_access)
                     .set("password_set", u.password_set)
                     .set("mailboxes", u.mailboxes));
    ctx.print(out);
    return kExitOk;
}

int user_set_display_name(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const std::string login = admin::set_user_display_name(env, a.arg(0), a.arg(1));
    ctx.done(Json::object().set("login", login).set("action", "display name set"),
             "set the display name of " + login);
    return kExitOk;
}

int user_activity_access(Context& ctx, const ParsedArgs& a) {
    const bool on = parse_on_off(a.arg(1), "activity access");
    admin::Env env = ctx.env();
    const std::string login = admin::set_user_activity_access(env, a.arg(0), on);
    ctx.done(Json::object().set("login", login).set("action", admin::activity_access_action(on)),
             std::string(admin::activity_access_action(on)) + " for " + login);
    return kExitOk;
}

int user_password(Context& ctx, const ParsedArgs& a) {
    const std::string password = read_new_password(ctx);
    admin::Env env = ctx.env();
    const admin::UserPasswordSet set = admin::set_user_password(env, a.arg(0), password);
    ctx.done(Json::object()
                 .set("login", set.login)
                 .set("action", "password set")
                 .set("dovecot", dovecot_report(set.notice)),
             "password set for user " + set.login);
    return set.notice.failed ? kExitError : kExitOk;
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
