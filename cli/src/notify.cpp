#include "notify.h"

#include "context.h"
#include "dovecot.h"

namespace boxwarden::cli {

namespace {

Json describe(const DovecotResult& r) {
    Json j = Json::object();
    j.set("result", outcome_name(r.outcome)).set("detail", r.detail);
    if (r.entries >= 0) j.set("entries", r.entries);
    return j;
}

}  // namespace

DovecotNotice notify_dovecot(Context& ctx, const std::vector<std::string>& flush_users,
                             const std::optional<std::string>& kick_user) {
    const Doveadm doveadm(ctx.config().get_string("doveadm_path"),
                          ctx.config().get_string("doveadm_config"));
    DovecotNotice notice;
    std::string users;
    for (const auto& u : flush_users) users += (users.empty() ? "" : " ") + u;

    const DovecotResult flush = doveadm.flush_auth_cache(flush_users);
    notice.report.set("auth_cache_flush", describe(flush));
    if (flush.outcome == DovecotOutcome::NotOnHost) {
        ctx.warn("Dovecot is not running on this host, auth cache not flushed for " + users + " (" +
                 flush.detail + ")");
    } else if (flush.outcome == DovecotOutcome::Failed) {
        notice.failed = true;
        ctx.warn("Dovecot auth cache flush failed for " + users + ": " + flush.detail +
                 "; the old credentials may keep working until auth_cache_ttl");
    }
    if (kick_user) {
        // Kick even when the flush was skipped: the sessions may be on this
        // host while auth runs elsewhere.
        const DovecotResult kick = doveadm.kick(*kick_user);
        notice.report.set("kick", describe(kick));
        if (kick.outcome == DovecotOutcome::Failed) {
            notice.failed = true;
            ctx.warn("kicking the sessions of " + *kick_user + " failed: " + kick.detail);
        } else if (kick.outcome == DovecotOutcome::NotOnHost &&
                   flush.outcome != DovecotOutcome::NotOnHost) {
            ctx.warn("sessions of " + *kick_user + " not kicked: " + kick.detail);
        }
    }
    return notice;
}

}  // namespace boxwarden::cli
