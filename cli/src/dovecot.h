#pragma once
// doveadm calls live in the admin library (shared with the web page);
// boxwardenctl keeps its names.
#include "boxwarden/admin_dovecot.h"
#include "process.h"

namespace boxwarden::cli {
using admin::Doveadm;
using admin::DovecotOutcome;
using admin::DovecotResult;
using admin::interpret_cache_flush;
using admin::interpret_kick;
using admin::outcome_name;
}  // namespace boxwarden::cli
