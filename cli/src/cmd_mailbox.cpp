// mailbox create / list / show / activate / deactivate / set-email-name /
// clear-email-name / vip / ooo enable / ooo disable / delete. Creation goes
// through CALL create_mailbox_with (one insert, so a VIP mailbox is VIP from
// its first moment); changes are plain UPDATEs that the triggers check,
// exactly as an admin's SQL would be.
#include <fstream>
#include <sstream>

#include "boxwarden/admin_delivery.h"
#include "boxwarden/db.h"
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

int mailbox_create(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::MailboxRef m =
        admin::create_mailbox(env, a.arg(0), a.get("email-name"), a.has("vip"), !a.has("inactive"));
    ctx.done(Json::object().set("mailbox", m.address).set("action", "created"),
             "created mailbox " + m.address);
    return kExitOk;
}

int mailbox_list(Context& ctx, const ParsedArgs& a) {
    std::string sql =
        "SELECT m.address, m.active, m.vip, m.email_name, m.ooo_enabled, "
        "(SELECT COUNT(*) FROM mailbox_assignment x WHERE x.mailbox_id = m.id AND "
        "x.unassigned_at IS NULL) AS users, m.password_hash IS NOT NULL AS has_password "
        "FROM mailbox m JOIN domain d ON d.id = m.domain_id";
    std::vector<db::Param> params;
    if (auto d = a.get("domain")) {
        sql += " WHERE d.name = LOWER(TRIM(?))";
        params.push_back(*d);
    }
    sql += " ORDER BY d.name, m.local_part";
    Json out = Json::array();
    for (const auto& r : ctx.db().query(sql, params))
        out.push(Json::object()
                     .set("address", r.str("address"))
                     .set("active", r.boolean("active"))
                     .set("vip", r.boolean("vip"))
                     .set("email_name", r.opt_str("email_name"))
                     .set("out_of_office", r.boolean("ooo_enabled"))
                     .set("assigned_users", r.i64("users"))
                     .set("password_set", r.boolean("has_password")));
    ctx.print(out);
    return kExitOk;
}

int mailbox_show(Context& ctx, const ParsedArgs& a) {
    Json out = Json::object();
    ctx.transaction([&] {  // one consistent snapshot for the whole report
        std::string sql =
            "SELECT m.id, m.address, m.local_part, d.name AS domain, "
            "m.email_name, m.vip, m.ooo_enabled, m.ooo_subject, m.ooo_body, m.ooo_start, "
            "m.ooo_end, m.ooo_interval_days, "
            "(m.ooo_enabled = 1 AND (m.ooo_start IS NULL OR m.ooo_start <= UTC_TIMESTAMP(6)) AND "
            "(m.ooo_end IS NULL OR m.ooo_end > UTC_TIMESTAMP(6))) AS ooo_now, "
            "m.password_hash IS NOT NULL AS has_hash, m.password_enc IS NOT NULL AS has_enc, "
            "IF(m.password_hash IS NULL, NULL, "
            "SUBSTRING_INDEX(SUBSTRING(m.password_hash, 2), '}', 1)) AS scheme, "
            "m.created_at, m.updated_at, ";
        sql += admin::kStoredDeliveryFactsColumns;
        sql +=
            ", IF(m.active = 0, m.deactivated_at + INTERVAL "
            "CAST(bw_setting('delivery_grace_seconds') AS UNSIGNED) SECOND, NULL) AS refused_from "
            "FROM mailbox m JOIN domain d ON d.id = m.domain_id "
            "WHERE m.address = LOWER(TRIM(?))";
        auto rows = ctx.db().query(sql, {a.arg(0)});
        if (rows.empty()) throw Refusal("mailbox '" + a.arg(0) + "' does not exist");
        const auto& r = rows[0];
        const std::int64_t id = r.i64("id");
        // The same decision the policy service and the Dovecot plugin make,
        // from the stored facts (as if the cache were current).
        const DeliveryDecision decision = admin::delivery_verdict_from_stored_facts(r);
        std::string delivery = "accepted";
        if (decision.verdict != DeliveryVerdict::Deliver)
            delivery =
                std::string("refused (").append(admin::smtp_reply_text(decision)).append(")");
        else if (!r.boolean("active"))
            delivery = "accepted until " + iso_time(r.opt_str("refused_from")).string_value() +
                       " (delivery_grace_seconds), refused after";
        out.set("address", r.str("address"))
            .set("domain", r.str("domain"))
            .set("local_part", r.str("local_part"))
            .set("state", r.boolean("active") ? "active" : "inactive")
            .set("active", r.boolean("active"))
            .set("deactivated_at", iso_time(r.opt_str("deactivated_at")))
            .set("delivery", delivery)
            .set("email_name", r.opt_str("email_name"))
            .set("vip", r.boolean("vip"));
        out.set("out_of_office", Json::object()
                                     .set("enabled", r.boolean("ooo_enabled"))
                                     .set("in_effect_now", r.boolean("ooo_now"))
                                     .set("subject", r.opt_str("ooo_subject"))
                                     .set("start", iso_time(r.opt_str("ooo_start")))
                                     .set("end", iso_time(r.opt_str("ooo_end")))
                                     .set("interval_days", r.i64("ooo_interval_days"))
                                     .set("body", r.opt_str("ooo_body")));
        out.set("password", Json::object()
                                .set("set", r.boolean("has_hash"))
                                .set("scheme", r.opt_str("scheme"))
                                .set("can_be_shown", r.boolean("has_enc")));
        Json users = Json::array();
        for (const auto& u : ctx.db().query(
                 "SELECT u.login, u.display_name, a.assigned_at FROM mailbox_assignment a "
                 "JOIN user_account u ON u.id = a.user_id WHERE a.mailbox_id = ? AND "
                 "a.unassigned_at IS NULL ORDER BY a.assigned_at, u.login",
                 {id}))
            users.push(Json::object()
                           .set("login", u.str("login"))
                           .set("display_name", u.str("display_name"))
                           .set("assigned_at", iso_time(u.opt_str("assigned_at"))));
        out.set("assigned_users", std::move(users));
        out.set(
            "assignment_history_rows",
            ctx.db()
                .query("SELECT COUNT(*) AS n FROM mailbox_assignment WHERE mailbox_id = ?", {id})[0]
                .i64("n"));
        out.set("created_at", iso_time(r.opt_str("created_at")))
            .set("updated_at", iso_time(r.opt_str("updated_at")));
    });
    ctx.print(out);
    return kExitOk;
}

// One change of a mailbox found by address, with a one-line report.
int report(Context& ctx, const admin::MailboxRef& m, const std::string& action,
           const std::string& message) {
    ctx.done(Json::object().set("mailbox", m.address).set("action", action),
             message + " " + m.address);
    return kExitOk;
}

int mailbox_activate(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    return report(ctx, admin::set_mailbox_active(env, a.arg(0), true), "activated", "activated");
}

int mailbox_deactivate(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    return report(ctx, admin::set_mailbox_active(env, a.arg(0), false), "deactivated",
                  "deactivated");
}

int mailbox_set_email_name(Context& ctx, const ParsedArgs& a) {
    if (a.arg(1).empty()) throw UsageError("the email name is empty; use clear-email-name");
    admin::Env env = ctx.env();
    return report(ctx, admin::set_email_name(env, a.arg(0), a.arg(1)), "email name set",
                  "set the email name of");
}

int mailbox_clear_email_name(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    return report(ctx, admin::set_email_name(env, a.arg(0), std::nullopt), "email name cleared",
                  "cleared the email name of");
}

int mailbox_vip(Context& ctx, const ParsedArgs& a) {
    const bool on = parse_on_off(a.arg(1), "VIP");
    admin::Env env = ctx.env();
    return report(ctx, admin::set_vip(env, a.arg(0), on), on ? "vip on" : "vip off",
                  on ? "VIP on for" : "VIP off for");
}

std::string read_body(Context& ctx, const ParsedArgs& a) {
    const auto text = a.get("body");
    const auto file = a.get("body-file");
    if (text && file) throw UsageError("give either --body or --body-file, not both");
    if (text) return *text;
    if (!file)
        throw UsageError("'mailbox ooo enable' needs --body TEXT or --body-file FILE (- = stdin)");
    if (*file == "-") return ctx.read_stdin();
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw ToolError(*file + ": cannot read the out-of-office body");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int mailbox_ooo_enable(Context& ctx, const ParsedArgs& a) {
    admin::OooNote note;
    note.subject = a.get("subject").value_or("");
    if (note.subject.empty()) throw UsageError("the out-of-office subject is empty");
    note.body = read_body(ctx, a);
    admin::require_utf8(note.subject, "the out-of-office subject");
    admin::require_utf8(note.body, "the out-of-office body");
    if (auto s = a.get("start")) {
        note.start_sql = parse_utc_time(*s, "--start");
        note.start_text = *s;
    }
    if (auto e = a.get("end")) {
        note.end_sql = parse_utc_time(*e, "--end");
        note.end_text = *e;
    }
    if (auto i = a.get("interval")) {
        try {
            size_t used = 0;
            note.interval_days = std::stoll(*i, &used);
            if (used != i->size()) throw std::invalid_argument(*i);
        } catch (const std::exception&) {
            throw UsageError("--interval must be a whole number of days, got '" + *i + "'");
        }
    }
    admin::Env env = ctx.env();
    const admin::MailboxRef m = admin::enable_ooo(env, a.arg(0), note);
    ctx.done(Json::object().set("mailbox", m.address).set("action", "out-of-office enabled"),
             "out-of-office enabled for " + m.address);
    return kExitOk;
}

int mailbox_ooo_disable(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    return report(ctx, admin::disable_ooo(env, a.arg(0)), "out-of-office disabled",
                  "out-of-office disabled for");
}

int mailbox_delete(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::MailboxRef m = admin::delete_mailbox(env, a.arg(0));
    ctx.done(Json::object().set("mailbox", m.address).set("action", "deleted"),
             "deleted mailbox " + m.address);
    return kExitOk;
}

}  // namespace

void add_mailbox_commands(std::vector<CommandSpec>& out) {
    out.push_back(
        {"mailbox create",
         {{"ADDRESS"}},
         {{"email-name", "NAME", "display name shown to recipients"},
          {"vip", "", "make it a VIP mailbox"},
          {"inactive", "", "create it inactive (mail refused)"}},
         "create a mailbox; refused under a domain that does not exist",
         "Runs CALL create_mailbox_with(ADDRESS, NAME, VIP, ACTIVE): one insert, so a VIP "
         "mailbox is VIP from its first moment; when it is refused, nothing is created.",
         mailbox_create});
    out.push_back({"mailbox list",
                   {},
                   {{"domain", "DOMAIN", "only mailboxes of this domain"}},
                   "list mailboxes with their state",
                   "",
                   mailbox_list});
    out.push_back({"mailbox show",
                   {{"ADDRESS"}},
                   {},
                   "show every setting of a mailbox, its assigned users and its state",
                   "",
                   mailbox_show});
    out.push_back({"mailbox activate",
                   {{"ADDRESS"}},
                   {},
                   "deliver mail to the mailbox again",
                   "",
                   mailbox_activate});
    out.push_back({"mailbox deactivate",
                   {{"ADDRESS"}},
                   {},
                   "stop delivery (550 5.2.1 Mailbox disabled); sending still works",
                   "Delivery stops within seconds, at the latest 30 minutes after the change, "
                   "plus the delivery_grace_seconds setting.",
                   mailbox_deactivate});
    out.push_back(
        {"mailbox set-email-name",
         {{"ADDRESS"}, {"NAME"}},
         {},
         "set the display name shown to recipients (UTF-8, no control characters, at most "
         "255 characters)",
         "",
         mailbox_set_email_name});
    out.push_back({"mailbox clear-email-name",
                   {{"ADDRESS"}},
                   {},
                   "remove the email name (the sending user's own name is used)",
                   "",
                   mailbox_clear_email_name});
    out.push_back({"mailbox vip",
                   {{"ADDRESS"}, {"on|off"}},
                   {},
                   "turn VIP protection of the mailbox's activity on or off",
                   "",
                   mailbox_vip});
    out.push_back(
        {"mailbox ooo enable",
         {{"ADDRESS"}},
         {{"subject", "TEXT", "subject of the reply", true},
          {"body", "TEXT", "reply text"},
          {"body-file", "FILE", "read the reply text from FILE; - reads stdin"},
          {"start", "TIME",
           "first moment the note applies (UTC); default: none (in effect at once)"},
          {"end", "TIME", "end of the note (UTC, exclusive); default: no end"},
          {"interval", "DAYS", "reply at most once per sender per DAYS (1-365; default: keep)"}},
         "turn on the out-of-office reply",
         "Replaces subject, body, start and end (a missing --start or --end is stored as NULL, "
         "unbounded). TIME is UTC: 2026-12-01, 2026-12-01T08:00 or 2026-12-01 08:00:00. One of "
         "--body or --body-file is required.",
         mailbox_ooo_enable});
    out.push_back({"mailbox ooo disable",
                   {{"ADDRESS"}},
                   {},
                   "turn off the out-of-office reply (subject and body are kept)",
                   "",
                   mailbox_ooo_disable});
    out.push_back({"mailbox delete",
                   {{"ADDRESS"}},
                   {},
                   "delete a mailbox; refused once it has assignment history (deactivate it)",
                   "",
                   mailbox_delete});
}

}  // namespace boxwarden::cli
