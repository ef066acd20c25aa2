#pragma once
// Whether the configuration file, when it holds a database password, can be
// read by more than root and the daemon's own user: world-readable, or
// group-readable by a group that is not the run user's own or that lists
// other members. The check is pure; config_file_exposure does the look-ups.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace boxwarden::policyd {

struct FileAccess {
    mode_t mode = 0;
    std::string group;                       // the file's group name
    std::vector<std::string> group_members;  // its listed members
    bool group_is_run_users = false;         // the run user's primary group
};

std::optional<std::string> exposure_problem(const FileAccess& file, const std::string& run_user);

// stat + group look-up of path; run_gid is the run user's primary group.
std::optional<std::string> config_file_exposure(const std::string& path,
                                                const std::string& run_user, gid_t run_gid);

}  // namespace boxwarden::policyd
