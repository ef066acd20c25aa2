#include "peer_access.h"

#include "boxwarden/text_trim.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace boxwarden::policyd {

namespace {

std::optional<uid_t> user_id(const std::string& name) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
        return std::nullopt;
    return pw.pw_uid;
}

}  // namespace

std::optional<gid_t> group_id(const std::string& name) {
    std::vector<char> buf(65536);
    group gr{};
    group* found = nullptr;
    if (::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
        return std::nullopt;
    return gr.gr_gid;
}

PeerAllowList PeerAllowList::parse(std::string_view list, std::vector<std::string>* unknown) {
    PeerAllowList out;
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string name(trim(list.substr(0, comma)));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (name.empty()) continue;
        if (name == "*") {
            out.any_ = true;
            continue;
        }
        const auto uid = user_id(name);
        const auto gid = group_id(name);
        if (uid) out.uids.insert(*uid);
        if (gid) out.gids.insert(*gid);
        if (!uid && !gid && unknown) unknown->push_back(name);
    }
    return out;
}

PeerAllowList PeerAllowList::any() {
    PeerAllowList out;
    out.any_ = true;
    return out;
}

bool PeerAllowList::allows(const PeerCredentials& peer) const {
    if (any_ || peer.uid == 0 || uids.count(peer.uid) || gids.count(peer.gid)) return true;
    return std::any_of(peer.groups.begin(), peer.groups.end(),
                       [&](gid_t g) { return gids.count(g) > 0; });
}

std::optional<PeerCredentials> peer_credentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
    PeerCredentials p;
    p.uid = cred.uid;
    p.gid = cred.gid;
    std::vector<gid_t> groups(64);
    for (int attempt = 0; attempt < 2; ++attempt) {
        socklen_t glen = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen) == 0) {
            groups.resize(glen / sizeof(gid_t));
            p.groups = std::move(groups);
            break;
        }
        if (errno != ERANGE) break;  // no groups known: uid and primary gid decide
        groups.resize(glen / sizeof(gid_t) + 1);
    }
    return p;
}

std::string describe_peer(const PeerCredentials& peer) {
    std::string out = "uid " + std::to_string(peer.uid);
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwuid_r(peer.uid, &pw, buf.data(), buf.size(), &found) == 0 && found)
        out += std::string(" (") + found->pw_name + ")";
    return out;
}

}  // namespace boxwarden::policyd
