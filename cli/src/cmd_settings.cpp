// settings get / set: the setting table. The triggers refuse unknown names
// and out-of-range values with the rule in the message.
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

int settings_get(Context& ctx, const ParsedArgs& a) {
    std::string sql = "SELECT name, value, updated_at FROM setting";
    std::vector<db::Param> params;
    if (auto n = a.opt_arg(0)) {
        sql += " WHERE name = ?";
        params.push_back(*n);
    }
    auto rows = ctx.db().query(sql + " ORDER BY name", params);
    if (a.opt_arg(0) && rows.empty())
        throw Refusal("unknown setting '" + *a.opt_arg(0) +
                      "' (known: vip_unprotected_cc_bcc, delivery_grace_seconds)");
    Json out = Json::array();
    for (const auto& r : rows)
        out.push(Json::object()
                     .set("name", r.str("name"))
                     .set("value", r.str("value"))
                     .set("updated_at", iso_time(r.opt_str("updated_at"))));
    if (a.opt_arg(0))
        ctx.print(out.array_items().front());
    else
        ctx.print(out);
    return kExitOk;
}

int settings_set(Context& ctx, const ParsedArgs& a) {
    const std::string& name = a.arg(0);
    admin::Env env = ctx.env();
    const std::string value = admin::set_setting(env, name, a.arg(1));
    ctx.done(Json::object().set("name", name).set("value", value).set("action", "set"),
             "set " + name + " = " + value);
    return kExitOk;
}

}  // namespace

void add_settings_commands(std::vector<CommandSpec>& out) {
    out.push_back({"settings get",
                   {{"NAME", false}},
                   {},
                   "show global settings (all, or one by name)",
                   "",
                   settings_get});
    out.push_back({"settings set",
                   {{"NAME"}, {"VALUE"}},
                   {},
                   "change a global setting",
                   "vip_unprotected_cc_bcc: 0 or 1 (on/off accepted): when 1, received mail is "
                   "VIP-protected only if the VIP mailbox is in To:.\n"
                   "delivery_grace_seconds: 0 to 1800: keep accepting mail this long after a "
                   "mailbox is deactivated.",
                   settings_set});
}

}  // namespace boxwarden::cli
