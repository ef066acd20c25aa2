#pragma once
// The data model as the daemons and the CLI see it (rows of sql/ tables).
#include <cstdint>
#include <optional>
#include <string>

#include "boxwarden/clock.h"

namespace boxwarden {

struct Domain {
    std::uint32_t id = 0;
    std::string name;
};

struct Mailbox {
    std::uint32_t id = 0;
    std::uint32_t domain_id = 0;
    std::string local_part;
    std::string address;
    bool active = true;
    std::optional<TimePoint> deactivated_at;
    std::string email_name;  // empty = none
    bool vip = false;
    bool ooo_enabled = false;
    std::string ooo_subject;
    std::string ooo_body;
    std::optional<TimePoint> ooo_start;
    std::optional<TimePoint> ooo_end;
    int ooo_interval_days = 7;
};

struct UserAccount {
    std::uint32_t id = 0;
    std::string login;
    std::string display_name;
    bool activity_access = false;
};

struct Assignment {
    std::uint64_t id = 0;
    std::uint32_t mailbox_id = 0;
    std::uint32_t user_id = 0;
    TimePoint assigned_at;
    std::optional<TimePoint> unassigned_at;
};

// Global options from the setting table, with their defaults.
struct Settings {
    bool vip_unprotected_cc_bcc = false;
    Seconds delivery_grace{0};
};

}  // namespace boxwarden
