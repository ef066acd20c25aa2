// assignments add / remove / list: CALL assign_user / unassign_user, the
// same procedures plain SQL uses; list shows the whole history.
#include "commands.h"
#include "context.h"
#include "notify.h"

namespace boxwarden::cli {

namespace {

int finish(Context& ctx, const admin::AssignmentChange& n, const std::string& action,
           const std::string& message) {
    Json out = Json::object();
    out.set("mailbox", n.address).set("login", n.login).set("action", action);
    out.set("dovecot", dovecot_report(n.notice));
    ctx.done(out, message);
    return n.notice.failed ? kExitError : kExitOk;
}

int assignment_add(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::AssignmentChange n = admin::assign_user(env, a.arg(0), a.arg(1));
    return finish(ctx, n, "assigned", "assigned " + n.login + " to " + n.address);
}

int assignment_remove(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::AssignmentChange n = admin::unassign_user(env, a.arg(0), a.arg(1));
    return finish(ctx, n, "unassigned", "unassigned " + n.login + " from " + n.address);
}

int assignment_list(Context& ctx, const ParsedArgs& a) {
    std::string sql =
        "SELECT m.address, u.login, a.assigned_at, a.unassigned_at FROM mailbox_assignment a "
        "JOIN mailbox m ON m.id = a.mailbox_id JOIN user_account u ON u.id = a.user_id WHERE 1 = 1";
    std::vector<db::Param> params;
    if (auto m = a.opt_arg(0)) {
        sql += " AND m.address = LOWER(TRIM(?))";
        params.push_back(*m);
        if (ctx.db().query("SELECT 1 FROM mailbox WHERE address = LOWER(TRIM(?))", {*m}).empty())
            throw Refusal("mailbox '" + *m + "' does not exist");
    }
    if (auto u = a.get("user")) {
        sql += " AND u.login = LOWER(TRIM(?))";
        params.push_back(*u);
        if (ctx.db().query("SELECT 1 FROM user_account WHERE login = LOWER(TRIM(?))", {*u}).empty())
            throw Refusal("user '" + *u + "' does not exist");
    }
    if (a.has("current")) sql += " AND a.unassigned_at IS NULL";
    sql += " ORDER BY m.address, a.assigned_at, a.id";
    Json out = Json::array();
    for (const auto& r : ctx.db().query(sql, params))
        out.push(Json::object()
                     .set("mailbox", r.str("address"))
                     .set("login", r.str("login"))
                     .set("assigned_at", iso_time(r.opt_str("assigned_at")))
                     .set("unassigned_at", iso_time(r.opt_str("unassigned_at")))
                     .set("current", r.is_null("unassigned_at")));
    ctx.print(out);
    return kExitOk;
}

}  // namespace

void add_assignment_commands(std::vector<CommandSpec>& out) {
    out.push_back({"assignments add",
                   {{"ADDRESS"}, {"LOGIN"}},
                   {},
                   "assign a user to a mailbox (a new history period starts now)",
                   "Runs CALL assign_user, then flushes Dovecot's auth cache for LOGIN (a refused "
                   "master login is cached negatively).",
                   assignment_add});
    out.push_back({"assignments remove",
                   {{"ADDRESS"}, {"LOGIN"}},
                   {},
                   "unassign a user (the period is closed now and kept as history)",
                   "Runs CALL unassign_user, then flushes Dovecot's auth cache for LOGIN and "
                   "ADDRESS so the user's master login stops working at once. Open IMAP/POP3 "
                   "sessions are not kicked (Dovecot can only kick the whole mailbox).",
                   assignment_remove});
    out.push_back(
        {"assignments list",
         {{"ADDRESS", false}},
         {{"user", "LOGIN", "only this user's periods"}, {"current", "", "only open periods"}},
         "list assignment history (every period, oldest first per mailbox)",
         "",
         assignment_list});
}

}  // namespace boxwarden::cli
