#pragma once
// The "show password" copy in mailbox.password_enc: sealed with the key file,
// the mailbox address as associated data, carried as hex. The code lives in
// the admin library (shared with the web page); boxwardenctl keeps its names.
#include <string>

#include "boxwarden/admin.h"

namespace boxwarden::cli {

using admin::from_hex;
using admin::to_hex;

}  // namespace boxwarden::cli
