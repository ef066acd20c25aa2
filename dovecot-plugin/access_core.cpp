// The plugin's IMAP/POP3 side behind access_core.h: assignment rechecks of
// master-login sessions (policyd's request=user) and agent-log entries
// (request=record_agent_action). Every entry point is noexcept and catches
// everything (an exception must never unwind through Dovecot).
#include "access_core.h"

#include <algorithm>
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
// Entries sent whose reply has not come yet: the command that would send
// one more waits (at most boxwarden_timeout) for the oldest reply first.
constexpr std::size_t kMaxInFlight = 256;

// One agent-log entry; seq orders the retry queue (the event ids' sequence).
struct Entry {
    std::uint64_t seq = 0;
    bw::client::RecordAgentAction action;
    bool warned = false;  // "not yet durable" logged once per entry
};

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
    // Sent on `client`, reply not yet collected, in sending order (the order
    // of its replies).
    std::deque<Entry> in_flight;
    // Not durable yet (tempfail, connection lost): sent again, by seq.
    std::deque<Entry> pending;
    bool finishing = false;  // session end: entries still failing are logged lost
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

// Into the retry queue, in event order (a retry must not overtake older
// entries). Beyond kMaxPending the entry is lost (logged).
void keep_for_retry(bwa_session* s, Entry e, const std::string& why) {
    if (s->pending.size() >= kMaxPending) {
        log_to(s, BWP_LOG_ERROR,
               "boxwarden: agent-log entry lost (policyd unreachable, " +
                   std::to_string(kMaxPending) +
                   " entries already waiting): " + describe(e.action));
        return;
    }
    if (!s->finishing && !e.warned)
        log_to(s, BWP_LOG_WARNING,
               "boxwarden: agent-log entry not yet durable (" + why +
                   "), kept for a retry: " + describe(e.action));
    e.warned = true;
    auto at = std::upper_bound(s->pending.begin(), s->pending.end(), e.seq,
                               [](std::uint64_t seq, const Entry& p) { return seq < p.seq; });
    s->pending.insert(at, std::move(e));
}

// policyd's answer to one entry. ok: durable. error: refused, resending it
// unchanged cannot help (logged, dropped). tempfail or no reply: retry.
void settle(bwa_session* s, Entry e, const bw::client::RawReply& raw) {
    auto res = bw::client::decode_recorded(raw);
    if (res.ok() && res.value.event_id == e.action.event_id) return;
    if (res.kind == bw::client::ResultKind::Error) {
        log_to(s, BWP_LOG_ERROR,
               "boxwarden: agent-log entry refused by policyd (" + res.error +
                   "), dropped: " + describe(e.action));
        return;
    }
    std::string why = res.ok() ? std::string("reply out of step")
                      : raw.attributes.find("status")
                          ? "tempfail from policyd: " + bw::sanitize_for_log(res.error)
                          : "policyd unreachable: " + bw::sanitize_for_log(res.error);
    keep_for_retry(s, std::move(e), why);
}

// The replies collected from the client belong to the oldest entries sent.
void settle_all(bwa_session* s, const std::vector<bw::client::RawReply>& replies) {
    for (const auto& raw : replies) {
        if (s->in_flight.empty()) return;  // cannot happen: one reply per request
        Entry e = std::move(s->in_flight.front());
        s->in_flight.pop_front();
        settle(s, std::move(e), raw);
    }
}

// Sends one entry without waiting for its reply; false when it could not
// be sent (then it is settled: kept for a retry or dropped).
bool send_entry(bwa_session* s, Entry e) {
    if (s->in_flight.size() >= kMaxInFlight)
        settle_all(s, s->client.collect_until(bw::client::deadline_in(s->client.timeout()),
                                              kMaxInFlight - 1));
    auto now = s->client.send_async(bw::client::record_agent_action_request(e.action));
    if (!now) {
        s->in_flight.push_back(std::move(e));
        return true;
    }
    // A broken connection also answered what was in flight on it: first.
    settle_all(s, s->client.collect_ready());
    settle(s, std::move(e), *now);
    return false;
}

// Replies already there, then one pass over the retry queue, oldest
// first, until policyd cannot be reached. Never waits, except when the
// in-flight window is full.
void retry_pending(bwa_session* s) {
    settle_all(s, s->client.collect_ready());
    for (std::size_t n = s->pending.size(); n > 0 && !s->pending.empty(); --n) {
        Entry e = std::move(s->pending.front());
        s->pending.pop_front();
        // Not sent and no connection: back in the queue; the rest waits too.
        if (!send_entry(s, std::move(e)) && !s->client.connected()) return;
    }
}

int record(bwa_session* s, std::string_view action, const char* folder, const char* message_id,
           long long occurred_at_us) {
    if (!s->agent_log) return 1;
    Entry e;
    e.seq = ++s->sequence;
    auto& r = e.action;
    r.event_id = dp::agent_event_id(s->service, s->session_id, e.seq);
    r.mailbox = s->who.mailbox;
    r.login = dp::agent_login(s->who);
    r.action = std::string(action);
    r.folder = folder ? folder : "";
    r.occurred_at = bw::client::format_protocol_time(
        std::chrono::system_clock::time_point{std::chrono::microseconds{occurred_at_us}});
    r.message_id = message_id ? message_id : "";
    // Older entries first, so the log keeps its order where it can.
    retry_pending(s);
    if (!s->pending.empty()) {
        keep_for_retry(s, std::move(e), "older entries still waiting");
        return -1;
    }
    return send_entry(s, std::move(e)) ? 1 : -1;
}

// Session end: every reply still due (at most boxwarden_timeout), then the
// entries not durable once more on a fresh connection (event_id makes a
// repeat harmless) and their replies; what is left is lost (logged by the
// caller).
void finish(bwa_session* s) {
    using bw::client::deadline_in;
    s->finishing = true;
    settle_all(s, s->client.collect_all(deadline_in(s->client.timeout())));
    if (s->pending.empty()) return;
    s->client.close();
    std::deque<Entry> again;
    again.swap(s->pending);
    while (!again.empty()) {
        Entry e = std::move(again.front());
        again.pop_front();
        if (!send_entry(s, std::move(e)) && !s->client.connected()) {
            // policyd unreachable: the newer rest cannot be sent either.
            for (Entry& rest : again) s->pending.push_back(std::move(rest));
            break;
        }
    }
    settle_all(s, s->client.collect_all(deadline_in(s->client.timeout())));
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
        finish(s);
        for (const Entry& e : s->pending)
            log_to(s, BWP_LOG_ERROR,
                   "boxwarden: agent-log entry lost at session end (policyd unreachable): " +
                       describe(e.action));
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
        // The call read the agent-log replies that were due before its own.
        settle_all(s, s->client.collect_ready());
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
