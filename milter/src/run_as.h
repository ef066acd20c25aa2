#pragma once
// Dropping root for run_user once the socket is open.
#include <string>

namespace boxwarden::milter {

// Switches to `user` (initgroups, setgid, setuid; checks that root cannot
// be regained) when running as root and user is not empty. Returns what it
// did for the log, or "" when nothing was switched. Throws std::runtime_error.
std::string drop_root_to(const std::string& user);

}  // namespace boxwarden::milter
