#pragma once
// Who may talk to a unix socket: the peer's credentials (SO_PEERCRED, and
// its supplementary groups through SO_PEERGROUPS) against an allow-list of
// user and group names (policy_allowed_users, query_allowed_users). Root is
// always allowed; "*" allows everyone the socket's permissions let in.
#include <sys/types.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden::policyd {

struct PeerCredentials {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups
};

class PeerAllowList {
  public:
    // Comma-separated names; each may name a user, a group or both. Names
    // that are neither are reported in unknown (and match nobody).
    static PeerAllowList parse(std::string_view list, std::vector<std::string>* unknown = nullptr);
    static PeerAllowList any();

    bool allows(const PeerCredentials& peer) const;

    bool any_ = false;
    std::set<uid_t> uids;
    std::set<gid_t> gids;
};

// The connected peer of a unix socket, or nullopt.
std::optional<PeerCredentials> peer_credentials(int fd);

// "uid 65534 (nobody)" for log lines.
std::string describe_peer(const PeerCredentials& peer);

// A group name -> gid, or nullopt.
std::optional<gid_t> group_id(const std::string& name);

}  // namespace boxwarden::policyd
