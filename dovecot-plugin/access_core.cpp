// The plugin's IMAP/POP3 side behind access_core.h: assignment rechecks of
// master-login sessions (policyd's request=user) and agent-log entries
// (request=record_agent_action). Every entry point is noexcept and catches
// everything (an exception must never unwind through Dovecot).
#include "access_core.h"

#include <chrono>
#include <deque>
#include <exception>
#include <string>

#include "access_decision.h"
#include "boxwarden/log_sanitize.h"
#include "boxwarden/policyd_client.h"

namespace bw = boxwarden;
namespace dp = boxwarden::dovecot_plugin;

namespace {

// Entries kept for a retry when policyd could not make them durable.
constexpr std::size_t kMaxPending = 1000;

}  // namespace

struct bwa_session {
    bwa_session(const bwa_session_settings& s, bwp_log_func* log_fn)
        : client(s.socket, std::chrono::milliseconds(s.timeout_ms)),
          log(log_fn),
          service(s.service ? s.service : ""),
          session_id(s.session_id ? s.session_id : ""),
          agent_log(s.agent_log != 0) {
        who.mailbox = s.mailbox ? s.mailbox : "";
        who.login = s.master_user ? s.master_user : "";
    }

    bw::client::PolicydClient client;
    bwp_log_func* log;
    std::string service;
    std::string session_id;
    bool agent_log;
    dp::SessionIdentity who;
    std::uint64_t sequence = 0;
    std::deque<bw::client::RecordAgentAction> pending;
    std::string message;
};

namespace {

void log_to(bwa_session* s, bwp_log_level level, const std::string& text) noexcept {
    if (s && s->log) s->log(level, text.c_str());
}

std::string describe(const bw::client::RecordAgentAction& r) {
    std::string d;
    d.append("event_id=").append(bw::sanitize_for_log(r.event_id));
    d.append(" mailbox=").append(bw::sanitize_for_log(r.mailbox));
    d.append(" login=").append(bw::sanitize_for_log(r.login));
    d.append(" action=").append(r.action);
    if (!r.folder.empty()) d.append(" folder=").append(bw::sanitize_for_log(r.folder));
    d.append(" message_id=").append(bw::sanitize_for_log(r.message_id));
    return d;
}

// One entry to policyd; false when it is not durable (tempfail) — kept for a
// retry. An entry policyd refuses (error) is logged and dropped: resending
// it unchanged cannot help.
bool send_entry(bwa_session* s, const bw::client::RecordAgentAction& r) {
    auto res = s->client.record_agent_action(r);
    if (res.ok()) return true;
    if (res.kind == bw::client::ResultKind::Error) {
        log_to(s, BWP_LOG_ERROR,
               "boxwarden: agent-log entry refused by policyd (" + res.error +
                   "), dropped: " + describe(r));
        return true;
    }
    return false;
}

void retry_pending(bwa_session* s) {
    while (!s->pending.empty()) {
        if (!send_entry(s, s->pending.front())) return;
        s->pending.pop_front();
    }
}

int record(bwa_session* s, std::string_view action, const char* folder, const char* message_id,
           long long occurred_at_us) {
    if (!s->agent_log) return 1;
    bw::client::RecordAgentAction r;
    r.event_id = dp::agent_event_id(s->service, s->session_id, ++s->sequence);
    r.mailbox = s->who.mailbox;
    r.login = dp::agent_login(s->who);
    r.action = std::string(action);
    r.folder = folder ? folder : "";
    r.occurred_at = bw::client::format_protocol_time(
        std::chrono::system_clock::time_point{std::chrono::microseconds{occurred_at_us}});
    r.message_id = message_id ? message_id : "";
    // Older entries first, so the log keeps its order where it can.
    retry_pending(s);
    if (s->pending.empty() && send_entry(s, r)) return 1;
    if (s->pending.size() >= kMaxPending) {
        log_to(s, BWP_LOG_ERROR,
               "boxwarden: agent-log entry lost (policyd unreachable, " +
                   std::to_string(kMaxPending) + " entries already waiting): " + describe(r));
        return -1;
    }
    log_to(s, BWP_LOG_WARNING,
           "boxwarden: agent-log entry not yet durable (policyd unreachable), kept for a retry: " +
               describe(r));
    s->pending.push_back(std::move(r));
    return -1;
}

}  // namespace

extern "C" {

bwa_session* bwa_session_create(const bwa_session_settings* settings, bwp_log_func* log) {
    try {
        return new bwa_session(*settings, log);
    } catch (const std::exception& e) {
        if (log) log(BWP_LOG_ERROR, (std::string("boxwarden: ") + e.what()).c_str());
    } catch (...) {
    }
    return nullptr;
}

void bwa_session_destroy(bwa_session** session) {
    if (!session || !*session) return;
    try {
        bwa_session* s = *session;
        retry_pending(s);
        for (const auto& r : s->pending)
            log_to(s, BWP_LOG_ERROR,
                   "boxwarden: agent-log entry lost at session end (policyd unreachable): " +
                       describe(r));
        delete s;
    } catch (...) {
    }
    *session = nullptr;
}

int bwa_session_is_master_login(const bwa_session* session) {
    return session && session->who.identified() ? 1 : 0;
}

int bwa_assignment_check(bwa_session* s, const char** message_r) {
    try {
        if (!s || !s->who.identified()) return 1;
        const auto reply = s->client.user(s->who.login);
        switch (dp::assignment_state(reply, s->who.mailbox)) {
            case dp::AssignmentState::Assigned:
                return 1;
            case dp::AssignmentState::Unassigned:
                s->message = dp::unassigned_message(s->who);
                if (message_r) *message_r = s->message.c_str();
                log_to(s, BWP_LOG_INFO, "boxwarden: " + s->message + ": ending the session");
                return 0;
            case dp::AssignmentState::Unknown:
                log_to(s, BWP_LOG_WARNING,
                       "boxwarden: assignment of " + bw::sanitize_for_log(s->who.login) + " to " +
                           bw::sanitize_for_log(s->who.mailbox) +
                           " not checked, the session goes on: " + reply.error);
                return -1;
        }
    } catch (const std::exception& e) {
        log_to(s, BWP_LOG_ERROR, std::string("boxwarden: assignment check failed: ") + e.what());
    } catch (...) {
    }
    return -1;
}

int bwa_flags_changed(bwa_session* s, unsigned int old_flags, unsigned int new_flags,
                      const char* message_id, long long occurred_at_us) {
    try {
        if (!s) return 1;
        int rc = 1;
        for (auto action : dp::actions_for_flag_change(old_flags, new_flags))
            if (record(s, action, nullptr, message_id, occurred_at_us) < 0) rc = -1;
        return rc;
    } catch (...) {
        log_to(s, BWP_LOG_ERROR, "boxwarden: agent-log entry lost (internal error)");
    }
    return -1;
}

int bwa_mail_moved(bwa_session* s, const char* folder, const char* message_id,
                   long long occurred_at_us) {
    try {
        if (!s) return 1;
        return record(s, "moved", folder, message_id, occurred_at_us);
    } catch (...) {
        log_to(s, BWP_LOG_ERROR, "boxwarden: agent-log entry lost (internal error)");
    }
    return -1;
}

int bwa_mail_expunged(bwa_session* s, unsigned int flags, const char* message_id,
                      long long occurred_at_us) {
    try {
        if (!s || (flags & BWA_FLAG_DELETED) != 0) return 1;
        return record(s, "deleted", nullptr, message_id, occurred_at_us);
    } catch (...) {
        log_to(s, BWP_LOG_ERROR, "boxwarden: agent-log entry lost (internal error)");
    }
    return -1;
}

void bwa_retry_pending(bwa_session* s) {
    try {
        if (s) retry_pending(s);
    } catch (...) {
    }
}

}  // extern "C"
