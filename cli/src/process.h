#pragma once
// Running helper programs lives in the admin library (shared with the web
// page); boxwardenctl keeps its names.
#include "boxwarden/admin_process.h"

namespace boxwarden::cli {
using admin::describe_status;
using admin::ProcessResult;
using admin::run_process;
}  // namespace boxwarden::cli
