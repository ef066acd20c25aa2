#include "run_as.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace boxwarden::milter {

std::string drop_root_to(const std::string& user) {
    if (user.empty() || ::geteuid() != 0) return "";
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) throw std::runtime_error("run_user: user '" + user + "' does not exist");
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    // Supplementary groups matter: the query socket's group (boxwarden-query).
    if (::initgroups(user.c_str(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
        throw std::runtime_error("cannot switch to run_user " + user + ": " + std::strerror(errno));
    if (uid != 0 && ::setuid(0) == 0)
        throw std::runtime_error("root could be regained after switching to " + user);
    return "running as user " + user;
}

}  // namespace boxwarden::milter
