// The C API over PolicydClient. Every entry point catches everything: a C
// caller (the Dovecot plugin) cannot unwind a C++ exception.
#include "boxwarden/policyd_client_c.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "boxwarden/policyd_client.h"

using boxwarden::client::PolicydClient;
using boxwarden::client::Result;
using boxwarden::client::ResultKind;

struct bw_client {
    bw_client(const char* target, unsigned int timeout_ms)
        : client(target, std::chrono::milliseconds(timeout_ms)) {}

    PolicydClient client;
    std::string error;
    bool tempfail = false;
    // The last replies: the result structs point into these.
    Result<boxwarden::client::MailboxReply> mailbox;
    Result<boxwarden::client::UserReply> user;
    std::string user_mailboxes;
    std::string claim_token;
};

namespace {

const char* opt(const char* s) {
    return s ? s : "";
}

// Records the outcome and maps it to 1 / 0 / -1.
template <class T>
int finish(bw_client* c, const Result<T>& r, const char** error_r) {
    c->tempfail = r.kind == ResultKind::Tempfail;
    c->error =
        r.kind == ResultKind::Ok ? std::string() : std::string(to_string(r.kind)) + ": " + r.error;
    if (error_r) *error_r = c->error.c_str();
    switch (r.kind) {
        case ResultKind::Ok:
            return 1;
        case ResultKind::NotFound:
            return 0;
        case ResultKind::Tempfail:
        case ResultKind::Error:
            break;
    }
    return -1;
}

int fail(bw_client* c, const char* what, const char** error_r) {
    try {
        c->tempfail = false;
        c->error = what;
    } catch (...) {
        c->error.clear();
        if (error_r) *error_r = "error: out of memory";
        return -1;
    }
    if (error_r) *error_r = c->error.c_str();
    return -1;
}

int tristate(const std::optional<bool>& b) {
    return b ? (*b ? 1 : 0) : -1;
}

void fill_verdict(const boxwarden::client::VerdictReply& v, bw_verdict* out) {
    out->address = v.address.c_str();
    out->domain_hosted = tristate(v.domain_hosted);
    out->exists = tristate(v.exists);
    out->deliver = v.deliver() ? 1 : 0;
    out->verdict = v.verdict.c_str();
    out->smtp_code = v.smtp_code;
    out->enhanced_code = v.enhanced_code.c_str();
    out->smtp_text = v.smtp_text.c_str();
}

int bad_arguments(bw_client* c, const char** error_r) {
    if (!c) {
        if (error_r) *error_r = "error: no client handle";
        return -1;
    }
    return fail(c, "error: NULL argument", error_r);
}

}  // namespace

extern "C" {

bw_client* bw_client_create(const char* socket_path, unsigned int timeout_ms, char** error_r) {
    const char* problem = nullptr;
    try {
        if (!socket_path || !*socket_path)
            problem = "no socket path";
        else if (timeout_ms == 0)
            problem = "timeout_ms must be positive";
        else
            return new bw_client(socket_path, timeout_ms);
    } catch (...) {
        problem = "out of memory";
    }
    if (error_r) *error_r = ::strdup(problem);
    return nullptr;
}

void bw_client_destroy(bw_client** client) {
    if (!client) return;
    delete *client;  // ~PolicydClient closes the socket and does not throw
    *client = nullptr;
}

int bw_client_last_was_tempfail(const bw_client* client) {
    return client && client->tempfail ? 1 : 0;
}

int bw_client_verdict(bw_client* c, const char* address, bw_verdict* verdict_r,
                      const char** error_r) {
    if (!c || !address || !verdict_r) return bad_arguments(c, error_r);
    try {
        auto r = c->client.verdict(address);
        // Keep the strings alive in the handle: a verdict is the first part
        // of a mailbox reply.
        c->mailbox = Result<boxwarden::client::MailboxReply>{r.kind, r.error, {}};
        c->mailbox.value.delivery = std::move(r.value);
        fill_verdict(c->mailbox.value.delivery, verdict_r);
        return finish(c, c->mailbox, error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_mailbox(bw_client* c, const char* address, bw_mailbox* mailbox_r,
                      const char** error_r) {
    if (!c || !address || !mailbox_r) return bad_arguments(c, error_r);
    try {
        c->mailbox = c->client.mailbox(address);
        const auto& m = c->mailbox.value;
        fill_verdict(m.delivery, &mailbox_r->delivery);
        mailbox_r->active = m.active ? 1 : 0;
        mailbox_r->deactivated_at = m.deactivated_at.c_str();
        mailbox_r->email_name = m.email_name.c_str();
        mailbox_r->vip = m.vip ? 1 : 0;
        mailbox_r->ooo_enabled = m.ooo_enabled ? 1 : 0;
        mailbox_r->ooo_subject = m.ooo_subject.c_str();
        mailbox_r->ooo_body = m.ooo_body.c_str();
        mailbox_r->ooo_start = m.ooo_start.c_str();
        mailbox_r->ooo_end = m.ooo_end.c_str();
        mailbox_r->ooo_interval_days = m.ooo_interval_days;
        return finish(c, c->mailbox, error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_user(bw_client* c, const char* login, bw_user* user_r, const char** error_r) {
    if (!c || !login || !user_r) return bad_arguments(c, error_r);
    try {
        c->user = c->client.user(login);
        c->user_mailboxes.clear();
        for (const std::string& a : c->user.value.mailboxes)
            c->user_mailboxes += (c->user_mailboxes.empty() ? "" : ",") + a;
        user_r->login = c->user.value.login.c_str();
        user_r->display_name = c->user.value.display_name.c_str();
        user_r->activity_access = c->user.value.activity_access ? 1 : 0;
        user_r->mailboxes = c->user_mailboxes.c_str();
        return finish(c, c->user, error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_record_activity(bw_client* c, const bw_activity* a, const char** error_r) {
    if (!c || !a) return bad_arguments(c, error_r);
    try {
        boxwarden::client::RecordActivity r;
        r.event_id = opt(a->event_id);
        r.mailbox = opt(a->mailbox);
        r.direction = opt(a->direction);
        r.occurred_at = opt(a->occurred_at);
        r.message_id = opt(a->message_id);
        r.sender = opt(a->sender);
        r.recipients = opt(a->recipients);
        r.subject = opt(a->subject);
        r.in_to_header = a->in_to_header != 0;
        return finish(c, c->client.record_activity(r), error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_record_agent_action(bw_client* c, const bw_agent_action* a, const char** error_r) {
    if (!c || !a) return bad_arguments(c, error_r);
    try {
        boxwarden::client::RecordAgentAction r;
        r.event_id = opt(a->event_id);
        r.mailbox = opt(a->mailbox);
        r.login = opt(a->login);
        r.action = opt(a->action);
        r.occurred_at = opt(a->occurred_at);
        r.message_id = opt(a->message_id);
        return finish(c, c->client.record_agent_action(r), error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_ooo_claim(bw_client* c, const char* mailbox, const char* sender, const char* now,
                        int* should_reply_r, const char** error_r) {
    if (!c || !mailbox || !sender || !should_reply_r) return bad_arguments(c, error_r);
    try {
        auto r = c->client.ooo_claim({mailbox, sender, opt(now)});
        *should_reply_r = r.ok() && r.value.should_reply ? 1 : 0;
        return finish(c, r, error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_ooo_claim_with_token(bw_client* c, const char* mailbox, const char* sender,
                                   const char* now, int* should_reply_r, const char** claim_token_r,
                                   const char** error_r) {
    if (!c || !mailbox || !sender || !should_reply_r || !claim_token_r)
        return bad_arguments(c, error_r);
    try {
        auto r = c->client.ooo_claim({mailbox, sender, opt(now)});
        *should_reply_r = r.ok() && r.value.should_reply ? 1 : 0;
        c->claim_token = *should_reply_r ? r.value.claim_token : std::string();
        *claim_token_r = c->claim_token.c_str();
        return finish(c, r, error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_ooo_release(bw_client* c, const char* mailbox, const char* sender,
                          const char* claim_token, int* released_r, const char** error_r) {
    if (!c || !mailbox || !sender || !claim_token || !released_r) return bad_arguments(c, error_r);
    try {
        auto r = c->client.ooo_release({mailbox, sender, claim_token});
        *released_r = r.ok() && r.value.released ? 1 : 0;
        return finish(c, r, error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

int bw_client_status(bw_client* c, bw_status* status_r, const char** error_r) {
    if (!c || !status_r) return bad_arguments(c, error_r);
    try {
        auto r = c->client.status();
        const auto& s = r.value;
        status_r->uptime_seconds = s.uptime_seconds;
        status_r->cache_synced = s.cache_synced ? 1 : 0;
        status_r->cache_age_ms = s.cache_age_ms ? *s.cache_age_ms : -1;
        status_r->cache_stale = s.cache_stale ? 1 : 0;
        status_r->cutoff_seconds = s.cutoff_seconds;
        status_r->spool_depth = s.spool_depth;
        status_r->log_database_ok = s.log_database_ok ? 1 : 0;
        status_r->requests_served = s.requests_served;
        status_r->connections = s.connections;
        return finish(c, r, error_r);
    } catch (...) {
        return fail(c, "error: out of memory", error_r);
    }
}

}  // extern "C"
