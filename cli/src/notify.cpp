#include "notify.h"

namespace boxwarden::cli {

namespace {

Json describe(const admin::DovecotResult& r) {
    Json j = Json::object();
    j.set("result", admin::outcome_name(r.outcome)).set("detail", r.detail);
    if (r.entries >= 0) j.set("entries", r.entries);
    return j;
}

}  // namespace

Json dovecot_report(const admin::DovecotNotice& notice) {
    Json report = Json::object();
    report.set("auth_cache_flush", describe(notice.flush));
    if (notice.kick) report.set("kick", describe(*notice.kick));
    return report;
}

}  // namespace boxwarden::cli
