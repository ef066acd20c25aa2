// domain add / list / remove, through the admin library (the same code as
// the web page's Settings » Other); the triggers check the name and refuse
// removing a domain that still has mailboxes.
#include "boxwarden/admin_directory.h"
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

int domain_add(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::DomainRef d = admin::add_domain(env, a.arg(0));
    ctx.done(Json::object().set("domain", d.name).set("action", "added"), "added domain " + d.name);
    return kExitOk;
}

int domain_list(Context& ctx, const ParsedArgs&) {
    Json out = Json::array();
    for (const auto& d : admin::list_domains(ctx.db()))
        out.push(Json::object()
                     .set("domain", d.name)
                     .set("mailboxes", d.mailboxes)
                     .set("created_at", iso_time(d.created_at)));
    ctx.print(out);
    return kExitOk;
}

int domain_remove(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::DomainRef d = admin::remove_domain(env, a.arg(0));
    ctx.done(Json::object().set("domain", d.name).set("action", "removed"),
             "removed domain " + d.name);
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
