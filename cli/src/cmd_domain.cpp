// domain add / list / remove: plain SQL on table domain; the triggers check
// the name and refuse removing a domain that still has mailboxes.
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

int domain_add(Context& ctx, const ParsedArgs& a) {
    std::string name;
    ctx.transaction([&] {
        ctx.db().execute("INSERT INTO domain (name) VALUES (?)", {a.arg(0)});
        name = ctx.db().query("SELECT name FROM domain WHERE id = LAST_INSERT_ID()")[0].str("name");
    });
    ctx.done(Json::object().set("domain", name).set("action", "added"), "added domain " + name);
    return kExitOk;
}

int domain_list(Context& ctx, const ParsedArgs&) {
    auto rows = ctx.db().query(
        "SELECT d.name, COUNT(m.id) AS mailboxes, d.created_at FROM domain d "
        "LEFT JOIN mailbox m ON m.domain_id = d.id GROUP BY d.id, d.name, d.created_at "
        "ORDER BY d.name");
    Json out = Json::array();
    for (const auto& r : rows)
        out.push(Json::object()
                     .set("domain", r.str("name"))
                     .set("mailboxes", r.i64("mailboxes"))
                     .set("created_at", iso_time(r.opt_str("created_at"))));
    ctx.print(out);
    return kExitOk;
}

int domain_remove(Context& ctx, const ParsedArgs& a) {
    std::string name;
    ctx.transaction([&] {
        auto rows = ctx.db().query(
            "SELECT id, name FROM domain WHERE name = LOWER(TRIM(?)) FOR UPDATE", {a.arg(0)});
        if (rows.empty()) throw Refusal("domain '" + a.arg(0) + "' does not exist");
        name = rows[0].str("name");
        ctx.db().execute("DELETE FROM domain WHERE id = ?", {rows[0].i64("id")});
    });
    ctx.done(Json::object().set("domain", name).set("action", "removed"), "removed domain " + name);
    return kExitOk;
}

}  // namespace

void add_domain_commands(std::vector<CommandSpec>& out) {
    out.push_back({"domain add",
                   {{"DOMAIN"}},
                   {},
                   "add a hosted domain (lowercased; LDH labels)",
                   "",
                   domain_add});
    out.push_back(
        {"domain list", {}, {}, "list hosted domains with their mailbox counts", "", domain_list});
    out.push_back({"domain remove",
                   {{"DOMAIN"}},
                   {},
                   "remove a domain; refused while it still has mailboxes",
                   "",
                   domain_remove});
}

}  // namespace boxwarden::cli
