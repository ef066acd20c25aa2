/* Plain-C API of the policyd client (boxwarden_client), for the Dovecot
 * plugin and other C code. An opaque handle wraps one PolicydClient (one
 * connection, not thread-safe: one handle per thread). No C++ exception
 * crosses this API.
 *
 * Calls that ask policyd return
 *    1  ok        (the struct is filled)
 *    0  notfound  (mailbox / user does not exist; verdict structs are filled)
 *   -1  tempfail or error; *error_r says which and why (for the log)
 * and set *error_r (when error_r is not NULL) to a text owned by the handle,
 * valid until the next call on it; it starts with "tempfail: " or "error: ".
 * bw_client_last_was_tempfail() tells tempfail (try again later) from error
 * (the request is wrong, or the reply made no sense).
 *
 * Strings in the result structs point into the handle as well and stay
 * valid until the next call on that handle.
 *
 * Times in requests: "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC) or Unix seconds. */
#ifndef BOXWARDEN_POLICYD_CLIENT_C_H
#define BOXWARDEN_POLICYD_CLIENT_C_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_client bw_client;

/* Creates a handle for the internal socket at socket_path ("/path",
 * "unix:/path" or "inet:host:port"); timeout_ms bounds every call (connect,
 * write and read together). Connects lazily on the first call. Returns NULL
 * on failure with *error_r set to a malloc()ed text the caller free()s. */
bw_client* bw_client_create(const char* socket_path, unsigned int timeout_ms, char** error_r);

/* Closes the connection, frees the handle and sets *client to NULL.
 * Accepts NULL and a pointer to NULL. */
void bw_client_destroy(bw_client** client);

/* 1 when the last failed call was a tempfail (policyd unreachable, timeout,
 * cache stale, spool unavailable), 0 otherwise. */
int bw_client_last_was_tempfail(const bw_client* client);

struct bw_verdict {
    const char* address;       /* normalised address */
    int domain_hosted;         /* 1, 0, or -1 when unknown (tempfail) */
    int exists;                /* 1, 0, or -1 when unknown (tempfail) */
    int deliver;               /* 1 when verdict is "deliver" */
    const char* verdict;       /* "deliver", "reject-unknown", "reject-disabled", "tempfail" */
    int smtp_code;             /* 250, 550, 451 */
    const char* enhanced_code; /* "2.1.5", "5.1.1", "5.2.1", "4.3.0" */
    const char* smtp_text;
};

int bw_client_verdict(bw_client* client, const char* address, struct bw_verdict* verdict_r,
                      const char** error_r);

struct bw_mailbox {
    struct bw_verdict delivery;
    /* Only filled when the call returned 1: */
    int active;
    const char* deactivated_at; /* "" = none */
    const char* email_name;
    int vip;
    int ooo_enabled;
    const char* ooo_subject;
    const char* ooo_body;
    const char* ooo_start; /* "" = unbounded */
    const char* ooo_end;
    int ooo_interval_days;
};

int bw_client_mailbox(bw_client* client, const char* address, struct bw_mailbox* mailbox_r,
                      const char** error_r);

struct bw_user {
    const char* login;
    const char* display_name;
    int activity_access;
    const char* mailboxes; /* comma-separated, sorted; "" = none */
};

int bw_client_user(bw_client* client, const char* login, struct bw_user* user_r,
                   const char** error_r);

/* NULL optional strings are sent empty. */
struct bw_activity {
    const char* event_id;
    const char* mailbox;
    const char* direction; /* "sent" or "received" */
    const char* occurred_at;
    const char* message_id;
    const char* sender;
    const char* recipients;
    const char* subject;
    int in_to_header;
};

/* 1 once the entry is durable in policyd; -1 otherwise (retry on tempfail). */
int bw_client_record_activity(bw_client* client, const struct bw_activity* activity,
                              const char** error_r);

struct bw_agent_action {
    const char* event_id;
    const char* mailbox;
    const char* login;
    const char* action; /* "read", "answered", "deleted" or "moved" */
    const char* occurred_at;
    const char* message_id; /* may be NULL */
};

int bw_client_record_agent_action(bw_client* client, const struct bw_agent_action* action,
                                  const char** error_r);

/* *should_reply_r = 1: send the out-of-office reply now (it is recorded).
 * now may be NULL (the daemon's clock). */
int bw_client_ooo_claim(bw_client* client, const char* mailbox, const char* sender, const char* now,
                        int* should_reply_r, const char** error_r);

/* The same, and *claim_token_r: with *should_reply_r = 1 the claim's token
 * for bw_client_ooo_release, else "" (owned by the handle, valid until its
 * next call). */
int bw_client_ooo_claim_with_token(bw_client* client, const char* mailbox, const char* sender,
                                   const char* now, int* should_reply_r, const char** claim_token_r,
                                   const char** error_r);

/* Gives a claim back after the reply could not be sent, so that the next
 * mail from the sender gets the reply. *released_r = 1: released; 0: that
 * claim was no longer the current one (nothing changed). */
int bw_client_ooo_release(bw_client* client, const char* mailbox, const char* sender,
                          const char* claim_token, int* released_r, const char** error_r);

struct bw_status {
    long long uptime_seconds;
    int cache_synced;
    long long cache_age_ms; /* -1 before the first sync */
    int cache_stale;
    long long cutoff_seconds;
    long long spool_depth;
    int log_database_ok;
    long long requests_served;
    long long connections;
};

int bw_client_status(bw_client* client, struct bw_status* status_r, const char** error_r);

#ifdef __cplusplus
}
#endif

#endif
