#include "config_exposure.h"

#include <grp.h>
#include <sys/stat.h>

namespace boxwarden::policyd {

std::optional<std::string> exposure_problem(const FileAccess& file, const std::string& run_user) {
    if (file.mode & S_IROTH) return std::string("is readable by every local user");
    if (!(file.mode & S_IRGRP)) return std::nullopt;
    if (!file.group_is_run_users)
        return "is readable by group " + file.group + ", which is not run_user's own group";
    for (const std::string& m : file.group_members)
        if (m != run_user) return "is readable by group " + file.group + ", which also holds " + m;
    return std::nullopt;
}

std::optional<std::string> config_file_exposure(const std::string& path,
                                                const std::string& run_user, gid_t run_gid) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    FileAccess f;
    f.mode = st.st_mode;
    f.group = std::to_string(st.st_gid);
    f.group_is_run_users = st.st_gid == run_gid;
    std::vector<char> buf(65536);
    group gr{};
    group* found = nullptr;
    if (::getgrgid_r(st.st_gid, &gr, buf.data(), buf.size(), &found) == 0 && found) {
        f.group = found->gr_name;
        for (char** m = found->gr_mem; m && *m; ++m) f.group_members.emplace_back(*m);
    }
    return exposure_problem(f, run_user);
}

}  // namespace boxwarden::policyd
