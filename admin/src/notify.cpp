// After a credential or assignment change is committed: tell the local
// Dovecot (auth cache flush, optionally kick sessions) and warn when Dovecot
// is not on this host.
#include "boxwarden/admin.h"

namespace boxwarden::admin {

DovecotNotice notify_dovecot(Env& env, const std::vector<std::string>& flush_users,
                             const std::optional<std::string>& kick_user) {
    const Doveadm doveadm(env.config.get_string("doveadm_path"),
                          env.config.get_string("doveadm_config"));
    const auto warn = [&](const std::string& m) {
        if (env.warn) env.warn(m);
    };
    DovecotNotice notice;
    std::string users;
    for (const auto& u : flush_users) users += (users.empty() ? "" : " ") + u;

    notice.flush = doveadm.flush_auth_cache(flush_users);
    const DovecotResult& flush = notice.flush;
    if (flush.outcome == DovecotOutcome::NotOnHost) {
        warn("Dovecot is not running on this host, auth cache not flushed for " + users + " (" +
             flush.detail + ")");
    } else if (flush.outcome == DovecotOutcome::Failed) {
        notice.failed = true;
        warn("Dovecot auth cache flush failed for " + users + ": " + flush.detail +
             "; the old credentials may keep working until auth_cache_ttl");
    }
    if (kick_user) {
        // Kick even when the flush was skipped: the sessions may be on this
        // host while auth runs elsewhere.
        notice.kick = doveadm.kick(*kick_user);
        const DovecotResult& kick = *notice.kick;
        if (kick.outcome == DovecotOutcome::Failed) {
            notice.failed = true;
            warn("kicking the sessions of " + *kick_user + " failed: " + kick.detail);
        } else if (kick.outcome == DovecotOutcome::NotOnHost &&
                   flush.outcome != DovecotOutcome::NotOnHost) {
            warn("sessions of " + *kick_user + " not kicked: " + kick.detail);
        }
    }
    return notice;
}

}  // namespace boxwarden::admin
