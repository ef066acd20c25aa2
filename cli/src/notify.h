#pragma once
// After a credential or assignment change is committed: the admin library
// told Dovecot (auth cache flush, optionally kick sessions); this reports the
// outcome in the command's output.
#include "boxwarden/admin.h"
#include "output.h"

namespace boxwarden::cli {

// {"auth_cache_flush": {...}, "kick": {...}} as boxwardenctl prints it.
Json dovecot_report(const admin::DovecotNotice& notice);

}  // namespace boxwarden::cli
