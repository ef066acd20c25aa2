// activity list / agent-log: what a given user may see, answered by the
// database (CALL visible_activity / visible_agent_log), never filtered here.
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

std::optional<std::string> mailbox_filter(Context& ctx, const ParsedArgs& a) {
    auto m = a.get("mailbox");
    if (!m) return std::nullopt;
    auto rows = ctx.db().query("SELECT address FROM mailbox WHERE address = LOWER(TRIM(?))", {*m});
    if (rows.empty()) throw Refusal("mailbox '" + *m + "' does not exist");
    return rows[0].str("address");
}

int activity_list(Context& ctx, const ParsedArgs& a) {
    const auto only = mailbox_filter(ctx, a);
    Json out = Json::array();
    for (const auto& r : ctx.db().query("CALL visible_activity(?)", {a.arg(0)})) {
        if (only && r.str("mailbox_address") != *only) continue;
        out.push(Json::object()
                     .set("time", iso_time(r.opt_str("occurred_at")))
                     .set("mailbox", r.str("mailbox_address"))
                     .set("direction", r.str("direction"))
                     .set("sender", r.str("sender"))
                     .set("recipients", r.str("recipients"))
                     .set("subject", r.str("subject"))
                     .set("message_id", r.str("message_id"))
                     .set("vip_protected", r.boolean("vip_protected")));
    }
    ctx.print(out);
    return kExitOk;
}

int activity_agent_log(Context& ctx, const ParsedArgs& a) {
    const auto only = mailbox_filter(ctx, a);
    Json out = Json::array();
    for (const auto& r : ctx.db().query("CALL visible_agent_log(?)", {a.arg(0)})) {
        if (only && r.str("mailbox_address") != *only) continue;
        out.push(Json::object()
                     .set("time", iso_time(r.opt_str("occurred_at")))
                     .set("mailbox", r.str("mailbox_address"))
                     .set("login", r.str("login"))
                     .set("action", r.str("action"))
                     .set("message_id", r.str("message_id"))
                     .set("vip_protected", r.boolean("vip_protected")));
    }
    ctx.print(out);
    return kExitOk;
}

}  // namespace

void add_activity_commands(std::vector<CommandSpec>& out) {
    out.push_back({"activity list",
                   {{"VIEWER"}},
                   {{"mailbox", "ADDRESS", "only entries of this mailbox"}},
                   "list the activity entries (sent/received mail) user VIEWER may see",
                   "Uses CALL visible_activity(VIEWER): VIP-protected entries only when VIEWER was "
                   "assigned to the mailbox when the mail was sent or received; other entries "
                   "when VIEWER has activity access.",
                   activity_list});
    out.push_back({"activity agent-log",
                   {{"VIEWER"}},
                   {{"mailbox", "ADDRESS", "only entries of this mailbox"}},
                   "list the agent-log entries (read, answered, deleted, moved) VIEWER may see",
                   "Uses CALL visible_agent_log(VIEWER), with the same rule as 'activity list'.",
                   activity_agent_log});
}

}  // namespace boxwarden::cli
