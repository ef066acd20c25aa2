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
    s.recipient_delimiter = config.get_string("recipient_delimiter");
    return s;
}

}  // namespace boxwarden::policyd
