#pragma once
// Pure parts of the plugin's IMAP/POP3 side (issue #11): what policyd's
// answer to a master login's assignment check means for the session,
// which agent-log actions a flag change is, and the entries' event ids.
// No Dovecot headers, no I/O (unit tested).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxwarden/clock.h"
#include "boxwarden/policyd_client.h"

namespace boxwarden::dovecot_plugin {

// A mailbox session and who opened it. login empty: the mailbox's own
// password (no identified user).
struct SessionIdentity {
    std::string mailbox;  // the session's user name: the mailbox address
    std::string login;    // master_user of a master login, else ""
    bool identified() const { return !login.empty(); }
};

enum class AssignmentState {
    Assigned,    // policyd lists the mailbox among the user's current ones
    Unassigned,  // it does not, or the user no longer exists: end the session
    Unknown,     // policyd could not say (tempfail, error): keep, ask again
};

// policyd's `request=user` answer for the session's login.
AssignmentState assignment_state(const client::Result<client::UserReply>& reply,
                                 std::string_view mailbox);

// The BYE / log text when a session ends for lack of assignment.
std::string unassigned_message(const SessionIdentity& who);

// Agent-log actions, as the flag bits the shim passes (Dovecot's MAIL_*).
enum AgentFlag : unsigned {
    kFlagAnswered = 0x01,
    kFlagFlagged = 0x02,
    kFlagDeleted = 0x04,
    kFlagSeen = 0x08,
};

// The actions of one flag change: a flag that became set (\Seen -> read,
// \Answered -> answered, \Deleted -> deleted), in that order. Clearing a
// flag and \Flagged are no action.
std::vector<std::string_view> actions_for_flag_change(unsigned old_flags, unsigned new_flags);

// "<service>-<session id>-<sequence>", at most 128 bytes (the protocol's
// event_id limit): unique per action, so a resent request is stored once.
std::string agent_event_id(std::string_view service, std::string_view session_id,
                           std::uint64_t sequence);

// What the agent log's `login` holds for a session (the acting user, or
// "" for a session opened with the mailbox's own password).
std::string agent_login(const SessionIdentity& who);

}  // namespace boxwarden::dovecot_plugin
