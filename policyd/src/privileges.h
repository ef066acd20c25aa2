#pragma once
// Switching from root to the configured run_user after the sockets are bound.
#include <sys/types.h>

#include <optional>
#include <string>

namespace boxwarden::policyd {

struct RunUser {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// nullopt when no switch is wanted: run_user empty, or not running as root.
// Throws std::runtime_error for an unknown user.
std::optional<RunUser> resolve_run_user(const std::string& name);

// initgroups + setgid + setuid, then checks that root cannot be regained.
// Throws std::system_error.
void drop_privileges(const RunUser& user);

}  // namespace boxwarden::policyd
