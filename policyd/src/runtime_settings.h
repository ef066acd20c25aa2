#pragma once
// The configuration values that SIGHUP may change while the daemon runs.
// Readers take a snapshot (a shared pointer to an immutable copy).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "peer_access.h"

#include "boxwarden/clock.h"

namespace boxwarden {
class Config;
}

namespace boxwarden::policyd {

struct RuntimeSettings {
    std::chrono::milliseconds refresh_interval{1000};
    Seconds cutoff{1800};
    std::chrono::milliseconds idle_timeout{300000};
    std::size_t max_connections = 1000;
    std::size_t max_connections_per_uid = 250;
    std::chrono::milliseconds request_timeout{10000};
    std::chrono::milliseconds full_reload_interval{300000};
    std::string recipient_delimiter = "+";
    PeerAllowList policy_allowed = PeerAllowList::any();
    PeerAllowList query_allowed = PeerAllowList::any();
    // Allow-list names that are neither a user nor a group (logged at start).
    std::vector<std::string> warnings;

    static RuntimeSettings from_config(const Config& config);
};

class RuntimeSettingsHolder {
  public:
    explicit RuntimeSettingsHolder(RuntimeSettings s)
        : current_(std::make_shared<const RuntimeSettings>(std::move(s))) {}
    std::shared_ptr<const RuntimeSettings> get() const {
        std::lock_guard lock(mu_);
        return current_;
    }
    void set(RuntimeSettings s) {
        auto next = std::make_shared<const RuntimeSettings>(std::move(s));
        std::lock_guard lock(mu_);
        current_ = std::move(next);
    }

  private:
    mutable std::mutex mu_;
    std::shared_ptr<const RuntimeSettings> current_;
};

}  // namespace boxwarden::policyd
