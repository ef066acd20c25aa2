#include "settings_screens.h"

#include "boxwarden/admin_directory.h"

namespace boxwarden::web {

using kainjow::mustache::data;

void add_directory_lists(data& page, db::Connection& db) {
    data domains{data::type::list};
    for (const auto& d : admin::list_domains(db)) {
        data x{data::type::object};
        x.set("name", d.name);
        x.set("mailboxes", std::to_string(d.mailboxes));
        x.set("created_at", d.created_at ? d.created_at->substr(0, 19) + " UTC" : std::string());
        domains.push_back(x);
    }
    page.set("domains", domains);
    data users{data::type::list};
    for (const auto& u : admin::list_users(db, 1000, /*with_password_state=*/false)) {
        data x{data::type::object};
        x.set("login", u.login);
        x.set("display_name", u.display_name);
        x.set("activity_access",
              data(u.activity_access ? data::type::bool_true : data::type::bool_false));
        x.set("mailboxes", u.mailboxes);
        users.push_back(x);
    }
    page.set("user_rows", users);
}

std::optional<std::string> directory_section(const std::string& action) {
    if (action == "domain-add" || action == "domain-remove") return std::string("domains");
    if (action == "user-display-name" || action == "user-activity-access")
        return std::string("users");
    return std::nullopt;
}

DirectoryChange apply_directory_change(admin::Env& env, const std::string& action,
                                       const Form& form) {
    DirectoryChange c;
    if (action == "domain-add") {
        const admin::DomainRef d = admin::add_domain(env, form.get("domain"));
        c = {"domain added", d.name, d.id, ""};
    } else if (action == "domain-remove") {
        const admin::DomainRef d = admin::remove_domain(env, form.get("domain"));
        c = {"domain removed", d.name, d.id, ""};
    } else if (action == "user-display-name") {
        const std::string name = form.get("display_name");
        c = {"display name set", admin::set_user_display_name(env, form.get("login"), name),
             std::nullopt, name};
    } else if (action == "user-activity-access") {
        const bool on = form.has("activity_access");
        c = {admin::activity_access_action(on),
             admin::set_user_activity_access(env, form.get("login"), on), std::nullopt, ""};
    } else {
        throw std::invalid_argument("unknown settings action " + action);
    }
    return c;
}

}  // namespace boxwarden::web
