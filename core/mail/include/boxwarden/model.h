#pragma once
// Shared model pieces. The cached row shapes the daemons answer from live in
// policyd/src/directory.h (MailboxFacts, UserFacts); the CLI reads rows
// directly. What is shared is the global options of the setting table.
#include "boxwarden/clock.h"

namespace boxwarden {

// Global options from the setting table, with their defaults.
struct Settings {
    bool vip_unprotected_cc_bcc = false;
    Seconds delivery_grace{0};
};

}  // namespace boxwarden
