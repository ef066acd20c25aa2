// mailbox create / list / show / activate / deactivate / set-email-name /
// clear-email-name / vip / ooo enable / ooo disable / delete. Creation goes
// through CALL create_mailbox_with (one insert, so a VIP mailbox is VIP from
// its first moment); changes are plain UPDATEs that the triggers check,
// exactly as an admin's SQL would be.
#include <fstream>
#include <sstream>

#include "boxwarden/db.h"
#include "boxwarden/delivery_verdict.h"
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

// mailbox.email_name is VARCHAR(255): characters, not bytes.
constexpr size_t kEmailNameMaxChars = 255;

// Checked here first so the reason names the field; the triggers refuse the
// same control characters for plain SQL.
void check_email_name(const std::string& name) {
    require_display_text(name, "the email name", kEmailNameMaxChars);
}

// Error 1406 (data too long) is raised before any trigger runs and names only
// the column; say which field and its limit.
template <typename F>
void naming_too_long_email_name(F&& f) {
    try {
        f();
    } catch (const db::RuleViolation& e) {
        if (e.code() != 1406) throw;
        throw Refusal("the email name is too long (at most " + std::to_string(kEmailNameMaxChars) +
                      " characters)");
    }
}

void update_mailbox(Context& ctx, const MailboxRef& m, const std::string& set_clause,
                    const std::vector<db::Param>& params) {
    std::vector<db::Param> all;
    all.reserve(params.size() + 1);
    for (const auto& p : params) all.emplace_back(p);
    all.emplace_back(db::Param(m.id));
    ctx.db().execute("UPDATE mailbox SET " + set_clause + " WHERE id = ?", all);
}

int mailbox_create(Context& ctx, const ParsedArgs& a) {
    db::Param name = nullptr;
    if (auto n = a.get("email-name"); n && !n->empty()) {
        check_email_name(*n);
        name = *n;
    }
    MailboxRef m;
    naming_too_long_email_name([&] {
        ctx.transaction([&] {
            ctx.db().execute("CALL create_mailbox_with(?, ?, ?, ?)",
                             {a.arg(0), name, std::int64_t{a.has("vip") ? 1 : 0},
                              std::int64_t{a.has("inactive") ? 0 : 1}});
            m = lock_mailbox(ctx.db(), a.arg(0));
        });
    });
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
        auto rows = ctx.db().query(
            "SELECT m.id, m.address, m.local_part, d.name AS domain, m.active, m.deactivated_at, "
            "m.email_name, m.vip, m.ooo_enabled, m.ooo_subject, m.ooo_body, m.ooo_start, "
            "m.ooo_end, m.ooo_interval_days, "
            "(m.ooo_enabled = 1 AND (m.ooo_start IS NULL OR m.ooo_start <= UTC_TIMESTAMP(6)) AND "
            "(m.ooo_end IS NULL OR m.ooo_end > UTC_TIMESTAMP(6))) AS ooo_now, "
            "m.password_hash IS NOT NULL AS has_hash, m.password_enc IS NOT NULL AS has_enc, "
            "IF(m.password_hash IS NULL, NULL, "
            "SUBSTRING_INDEX(SUBSTRING(m.password_hash, 2), '}', 1)) AS scheme, "
            "m.created_at, m.updated_at, "
            "CAST(bw_setting('delivery_grace_seconds') AS UNSIGNED) AS grace, "
            "IF(m.active = 0, m.deactivated_at + INTERVAL "
            "CAST(bw_setting('delivery_grace_seconds') AS UNSIGNED) SECOND, NULL) AS refused_from, "
            "UTC_TIMESTAMP(6) AS now "
            "FROM mailbox m JOIN domain d ON d.id = m.domain_id "
            "WHERE m.address = LOWER(TRIM(?))",
            {a.arg(0)});
        if (rows.empty()) throw Refusal("mailbox '" + a.arg(0) + "' does not exist");
        const auto& r = rows[0];
        const std::int64_t id = r.i64("id");
        // The same decision the policy service and the Dovecot plugin make,
        // from the stored facts (as if the cache were current).
        DeliveryFacts facts;
        facts.mailbox_known = true;
        facts.active = r.boolean("active");
        if (auto at = r.opt_str("deactivated_at"))
            facts.deactivated_at = db::parse_sql_datetime(*at);
        // A missing setting leaves grace NULL: no grace.
        if (auto g = r.opt_str("grace")) facts.grace = Seconds{std::stoll(*g)};
        facts.cache_age = Seconds{0};
        const TimePoint now = db::parse_sql_datetime(r.str("now")).value_or(TimePoint{});
        const DeliveryDecision decision = decide_delivery(facts, now);
        std::string delivery = "accepted";
        if (decision.verdict != DeliveryVerdict::Deliver)
            delivery = "refused (" + std::to_string(decision.smtp_code) + " " +
                       std::string(decision.enhanced) + " " + std::string(decision.text) + ")";
        else if (!facts.active)
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

// One UPDATE of a mailbox found by address, with a one-line report.
int simple_update(Context& ctx, const ParsedArgs& a, const std::string& set_clause,
                  const std::vector<db::Param>& params, const std::string& action,
                  const std::string& message) {
    MailboxRef m;
    ctx.transaction([&] {
        m = lock_mailbox(ctx.db(), a.arg(0));
        update_mailbox(ctx, m, set_clause, params);
    });
    ctx.done(Json::object().set("mailbox", m.address).set("action", action),
             message + " " + m.address);
    return kExitOk;
}

int mailbox_activate(Context& ctx, const ParsedArgs& a) {
    return simple_update(ctx, a, "active = 1", {}, "activated", "activated");
}

int mailbox_deactivate(Context& ctx, const ParsedArgs& a) {
    return simple_update(ctx, a, "active = 0", {}, "deactivated", "deactivated");
}

int mailbox_set_email_name(Context& ctx, const ParsedArgs& a) {
    if (a.arg(1).empty()) throw UsageError("the email name is empty; use clear-email-name");
    check_email_name(a.arg(1));
    int code = kExitOk;
    naming_too_long_email_name([&] {
        code = simple_update(ctx, a, "email_name = ?", {a.arg(1)}, "email name set",
                             "set the email name of");
    });
    return code;
}

int mailbox_clear_email_name(Context& ctx, const ParsedArgs& a) {
    return simple_update(ctx, a, "email_name = NULL", {}, "email name cleared",
                         "cleared the email name of");
}

int mailbox_vip(Context& ctx, const ParsedArgs& a) {
    const bool on = parse_on_off(a.arg(1), "VIP");
    return simple_update(ctx, a, "vip = ?", {std::int64_t{on ? 1 : 0}}, on ? "vip on" : "vip off",
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
    const std::string subject = a.get("subject").value_or("");
    if (subject.empty()) throw UsageError("the out-of-office subject is empty");
    const std::string body = read_body(ctx, a);
    require_utf8(subject, "the out-of-office subject");
    require_utf8(body, "the out-of-office body");
    db::Param start = nullptr, end = nullptr;
    if (auto s = a.get("start")) start = parse_utc_time(*s, "--start");
    if (auto e = a.get("end")) end = parse_utc_time(*e, "--end");
    std::optional<std::int64_t> interval;
    if (auto i = a.get("interval")) {
        try {
            size_t used = 0;
            interval = std::stoll(*i, &used);
            if (used != i->size()) throw std::invalid_argument(*i);
        } catch (const std::exception&) {
            throw UsageError("--interval must be a whole number of days, got '" + *i + "'");
        }
    }
    MailboxRef m;
    try {
        ctx.transaction([&] {
            m = lock_mailbox(ctx.db(), a.arg(0));
            std::string set =
                "ooo_enabled = 1, ooo_subject = ?, ooo_body = ?, ooo_start = ?, ooo_end = ?";
            std::vector<db::Param> params{subject, body, start, end};
            if (interval) {
                set += ", ooo_interval_days = ?";
                params.push_back(*interval);
            }
            update_mailbox(ctx, m, set, params);
        });
    } catch (const db::RuleViolation& e) {
        // A CHECK constraint names the rule but not the value: add the values.
        std::string values = "start " + (a.get("start") ? *a.get("start") : std::string("(none)")) +
                             ", end " + (a.get("end") ? *a.get("end") : std::string("(none)"));
        if (interval) values += ", interval " + std::to_string(*interval) + " days";
        throw db::RuleViolation(std::string(e.what()) + " (out-of-office " + values + ")", e.code(),
                                e.sqlstate());
    }
    ctx.done(Json::object().set("mailbox", m.address).set("action", "out-of-office enabled"),
             "out-of-office enabled for " + m.address);
    return kExitOk;
}

int mailbox_ooo_disable(Context& ctx, const ParsedArgs& a) {
    return simple_update(ctx, a, "ooo_enabled = 0", {}, "out-of-office disabled",
                         "out-of-office disabled for");
}

int mailbox_delete(Context& ctx, const ParsedArgs& a) {
    MailboxRef m;
    ctx.transaction([&] {
        m = lock_mailbox(ctx.db(), a.arg(0));
        ctx.db().execute("DELETE FROM mailbox WHERE id = ?", {m.id});
    });
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
