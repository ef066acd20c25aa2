// admin add / list / remove / password: the accounts of boxwarden-web
// (docs/web.md). Passwords come from stdin, never from argv.
#include "commands.h"
#include "context.h"
#include "password_input.h"

namespace boxwarden::cli {

namespace {

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) out.push_back(item);
        start = end + 1;
    }
    return out;
}

int admin_add(Context& ctx, const ParsedArgs& a) {
    const std::string role = a.get("role").value_or("");
    if (role != "superadmin" && role != "domain")
        throw UsageError("--role must be superadmin or domain, got '" + role + "'");
    const auto domains = split_list(a.get("domains").value_or(""));
    if (role == "domain" && domains.empty())
        throw UsageError("--role domain needs --domains DOMAIN[,DOMAIN...]");
    if (role == "superadmin" && !domains.empty())
        throw UsageError("--role superadmin manages every domain; leave out --domains");
    const std::string password = read_new_password(ctx);
    admin::Env env = ctx.env();
    const std::string login = admin::add_web_admin(env, a.arg(0), password, role, domains);
    Json d = Json::array();
    for (const auto& x : domains) d.push(x);
    ctx.done(Json::object()
                 .set("login", login)
                 .set("role", role)
                 .set("domains", d)
                 .set("action", "added"),
             "added web admin " + login + " (" + role + ")");
    return kExitOk;
}

int admin_list(Context& ctx, const ParsedArgs&) {
    Json out = Json::array();
    for (const auto& w : admin::list_web_admins(ctx.db())) {
        std::string domains;
        for (const auto& d : w.domains) domains += (domains.empty() ? "" : ", ") + d;
        out.push(Json::object()
                     .set("login", w.login)
                     .set("role", w.role)
                     .set("domains", domains)
                     .set("created_at", iso_time(w.created_at)));
    }
    ctx.print(out);
    return kExitOk;
}

int admin_remove(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const std::string login = admin::remove_web_admin(env, a.arg(0));
    ctx.done(Json::object().set("login", login).set("action", "removed"),
             "removed web admin " + login);
    return kExitOk;
}

int admin_password(Context& ctx, const ParsedArgs& a) {
    const std::string password = read_new_password(ctx);
    admin::Env env = ctx.env();
    const std::string login = admin::set_web_admin_password(env, a.arg(0), password);
    ctx.done(Json::object().set("login", login).set("action", "password set"),
             "password set for web admin " + login + " (its sessions ended)");
    return kExitOk;
}

}  // namespace

void add_web_admin_commands(std::vector<CommandSpec>& out) {
    out.push_back({"admin add",
                   {{"LOGIN"}},
                   {{"role", "superadmin|domain", "what the admin may manage", true},
                    {"domains", "DOMAIN[,DOMAIN...]", "the domains of a domain admin"}},
                   "add an account of the web page (password from stdin, Argon2id)",
                   "Reads the password from stdin (without one trailing line end; on a terminal it "
                   "is asked for twice without echo) and applies the strength rule.",
                   admin_add});
    out.push_back({"admin list", {}, {}, "list the accounts of the web page", "", admin_list});
    out.push_back({"admin remove",
                   {{"LOGIN"}},
                   {},
                   "remove an account of the web page (its sessions end at once)",
                   "",
                   admin_remove});
    out.push_back({"admin password",
                   {{"LOGIN"}},
                   {},
                   "set a web admin's password from stdin (its sessions end at once)",
                   "",
                   admin_password});
}

}  // namespace boxwarden::cli
