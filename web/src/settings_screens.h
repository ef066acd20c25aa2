#pragma once
// Settings » Other, domains and users (superadmins): the lists shown on the
// settings page and the changes its forms post to /settings/ACTION. Every
// change goes through the admin library (admin_directory.h), the code
// `boxwardenctl domain ...` / `user ...` runs, so the refusal shown is the
// CLI's (the database's reason); the caller writes the audit row.
#include <cstdint>
#include <kainjow/mustache.hpp>
#include <optional>
#include <string>

#include "boxwarden/admin.h"
#include "form.h"

namespace boxwarden::web {

// Sets "domains" (name, mailboxes, created_at) and "user_rows" (login,
// display_name, activity_access, mailboxes) on the settings page's data.
void add_directory_lists(kainjow::mustache::data& page, db::Connection& db);

// What a change did, for the audit log.
struct DirectoryChange {
    std::string action;  // "domain added", "domain removed", "display name set",
                         // "activity access on", "activity access off"
    std::string object;  // the domain name or the login, as stored
    std::optional<std::int64_t> domain_id;
    std::string detail;  // the display name set; else empty
};

// Which part of the page a form belongs to ("domains" or "users"); nullopt
// for an unknown action.
std::optional<std::string> directory_section(const std::string& action);

// Applies one form: domain-add (domain), domain-remove (domain),
// user-display-name (login, display_name), user-activity-access (login,
// activity_access present = on). Throws what the admin library throws
// (db::RuleViolation, admin::Refusal) with nothing changed.
DirectoryChange apply_directory_change(admin::Env& env, const std::string& action,
                                       const Form& form);

}  // namespace boxwarden::web
