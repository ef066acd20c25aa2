#pragma once
// The entries policyd writes to the activity and agent logs: what the
// record_activity / record_agent_action requests carry, as data (no I/O).
#include <string>
#include <variant>

#include "boxwarden/clock.h"

namespace boxwarden::policyd {

struct ActivityEvent {
    std::string event_id;
    std::string mailbox_address;
    std::string direction;  // "sent" | "received"
    TimePoint occurred_at;
    std::string message_id;
    std::string sender;
    std::string recipients;
    std::string subject;
    bool in_to_header = true;
};

struct AgentActionEvent {
    std::string event_id;
    std::string mailbox_address;
    std::string login;   // "" = no identified user (the mailbox's own login)
    std::string action;  // "read" | "answered" | "deleted" | "moved"
    TimePoint occurred_at;
    std::string message_id;
    std::string folder{};  // target folder of "moved", else "" (NSDMI: aggregate inits may omit it)
};

using LogEvent = std::variant<ActivityEvent, AgentActionEvent>;

}  // namespace boxwarden::policyd
