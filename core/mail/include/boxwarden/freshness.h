#pragma once
// How far the cached facts may be trusted right now (input to every decision
// that depends on the database).
#include "boxwarden/clock.h"
#include "boxwarden/delivery_verdict.h"

namespace boxwarden {

struct Freshness {
    bool synced = false;  // the cache has completed at least one sync
    Seconds age{0};       // time since the last successful sync (monotonic)
    Seconds cutoff{kMaxCutoff};

    // The age decide_delivery should see: never synced counts as too old.
    Seconds effective_age() const { return synced ? age : cutoff; }
    bool stale() const { return effective_age() >= cutoff; }
};

}  // namespace boxwarden
