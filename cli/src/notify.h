#pragma once
// After a credential or assignment change is committed: tell the local
// Dovecot (auth cache flush, optionally kick sessions), warn when Dovecot is
// not on this host, and report the outcome in the command's output.
#include <optional>
#include <string>
#include <vector>

#include "output.h"

namespace boxwarden::cli {

class Context;

struct DovecotNotice {
    Json report = Json::object();  // {"auth_cache_flush": ..., "kick": ...}
    bool failed = false;           // Dovecot is here but did not do it
};

DovecotNotice notify_dovecot(Context& ctx, const std::vector<std::string>& flush_users,
                             const std::optional<std::string>& kick_user);

}  // namespace boxwarden::cli
