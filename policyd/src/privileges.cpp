#include "privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace boxwarden::policyd {

std::optional<RunUser> resolve_run_user(const std::string& name) {
    if (name.empty() || ::geteuid() != 0) return std::nullopt;
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
        throw std::runtime_error("run_user '" + name + "' does not exist");
    return RunUser{name, pw.pw_uid, pw.pw_gid};
}

void drop_privileges(const RunUser& user) {
    if (::initgroups(user.name.c_str(), user.gid) != 0)
        throw std::system_error(errno, std::generic_category(), "initgroups " + user.name);
    if (::setgid(user.gid) != 0) throw std::system_error(errno, std::generic_category(), "setgid");
    if (::setuid(user.uid) != 0) throw std::system_error(errno, std::generic_category(), "setuid");
    if (user.uid != 0 && ::setuid(0) == 0)
        throw std::runtime_error("privileges could be regained after dropping them");
}

}  // namespace boxwarden::policyd
