#include "access_decision.h"

#include <algorithm>

namespace boxwarden::dovecot_plugin {

AssignmentState assignment_state(const client::Result<client::UserReply>& reply,
                                 std::string_view mailbox) {
    switch (reply.kind) {
        case client::ResultKind::Ok: {
            const auto& m = reply.value.mailboxes;
            return std::find(m.begin(), m.end(), mailbox) != m.end() ? AssignmentState::Assigned
                                                                     : AssignmentState::Unassigned;
        }
        case client::ResultKind::NotFound:
            return AssignmentState::Unassigned;  // the user was deleted
        case client::ResultKind::Tempfail:
        case client::ResultKind::Error:
            break;
    }
    return AssignmentState::Unknown;
}

std::string unassigned_message(const SessionIdentity& who) {
    std::string m;
    m.append("Access revoked: ").append(who.login);
    m.append(" is no longer assigned to ").append(who.mailbox);
    return m;
}

std::vector<std::string_view> actions_for_flag_change(unsigned old_flags, unsigned new_flags) {
    const unsigned set = new_flags & ~old_flags;
    std::vector<std::string_view> out;
    if (set & kFlagSeen) out.push_back("read");
    if (set & kFlagAnswered) out.push_back("answered");
    if (set & kFlagDeleted) out.push_back("deleted");
    return out;
}

std::string agent_event_id(std::string_view service, std::string_view session_id,
                           std::uint64_t sequence) {
    const std::string seq = std::to_string(sequence);
    // service and seq are short; the session id is cut so the whole fits.
    const std::size_t room = 128 - std::min<std::size_t>(128, service.size() + seq.size() + 2);
    std::string id;
    id.append(service).append("-").append(session_id.substr(0, room)).append("-").append(seq);
    return id;
}

std::string agent_login(const SessionIdentity& who) {
    return who.login;
}

}  // namespace boxwarden::dovecot_plugin
