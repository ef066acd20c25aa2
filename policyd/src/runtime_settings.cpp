#include "runtime_settings.h"

#include "boxwarden/config.h"

namespace boxwarden::policyd {

RuntimeSettings RuntimeSettings::from_config(const Config& config) {
    RuntimeSettings s;
    s.refresh_interval = config.get_duration("refresh_interval");
    // Whole seconds, as decide_delivery compares them; the key's range
    // already keeps it within 1 s .. 30 min.
    s.cutoff = std::chrono::duration_cast<Seconds>(config.get_duration("cutoff"));
    s.idle_timeout = config.get_duration("idle_timeout");
    s.max_connections = static_cast<std::size_t>(config.get_int("max_connections"));
    s.max_connections_per_uid = static_cast<std::size_t>(config.get_int("max_connections_per_uid"));
    s.request_timeout = config.get_duration("request_timeout");
    s.full_reload_interval = config.get_duration("full_reload_interval");
    s.recipient_delimiter = config.get_string("recipient_delimiter");
    for (const char* key : {"policy_allowed_users", "query_allowed_users"}) {
        std::vector<std::string> unknown;
        PeerAllowList list = PeerAllowList::parse(config.get_string(key), &unknown);
        for (const std::string& name : unknown)
            s.warnings.push_back(std::string(key) + ": '" + name +
                                 "' is neither a user nor a group; it matches nobody");
        (std::string_view(key) == "policy_allowed_users" ? s.policy_allowed : s.query_allowed) =
            std::move(list);
    }
    return s;
}

}  // namespace boxwarden::policyd
