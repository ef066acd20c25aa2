/* The C API of the plugin's IMAP/POP3 side (access_core.cpp) for its C
 * shims (boxwarden-access.c, boxwarden-imap.c, boxwarden-pop3.c). One
 * session per mail_user (an IMAP or POP3 session); no C++ exception
 * crosses it: every function catches, logs through the callback and
 * returns an error code. */
#ifndef BOXWARDEN_ACCESS_CORE_H
#define BOXWARDEN_ACCESS_CORE_H

#include "plugin_core.h" /* bwp_log_func */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bwa_session bwa_session;

struct bwa_session_settings {
    const char* socket;      /* boxwarden_socket */
    unsigned int timeout_ms; /* boxwarden_timeout */
    const char* service;     /* "imap" or "pop3" */
    const char* session_id;  /* Dovecot's session id */
    const char* mailbox;     /* the session's user: the mailbox address */
    const char* master_user; /* the login of a master login, NULL/"" otherwise */
    int agent_log;           /* boxwarden_agent_log (default yes) */
};

/* NULL on failure (logged). */
bwa_session* bwa_session_create(const struct bwa_session_settings* settings, bwp_log_func* log);
/* Session end: waits (at most boxwarden_timeout) for the replies still
 * due, sends the entries not durable once more on a fresh connection and
 * waits for those (again at most boxwarden_timeout); logs each entry still
 * not durable as lost. */
void bwa_session_destroy(bwa_session** session);

/* 1 when the session was opened with a master login (assignment checks
 * apply), else 0. */
int bwa_session_is_master_login(const bwa_session* session);

/* The assignment check of a master-login session, asked of policyd now
 * (the shims call it on every SELECT/EXAMINE and every
 * boxwarden_assignment_recheck). 1: still assigned (or not a master
 * login). 0: no longer assigned: end the session; *message_r (valid until
 * the next call) is the BYE text. -1: policyd could not say; the session
 * goes on (logged). */
int bwa_assignment_check(bwa_session* session, const char** message_r);

/* Flag bits (the values of Dovecot's MAIL_ANSWERED, MAIL_FLAGGED,
 * MAIL_DELETED, MAIL_SEEN). */
#define BWA_FLAG_ANSWERED 0x01
#define BWA_FLAG_FLAGGED 0x02
#define BWA_FLAG_DELETED 0x04
#define BWA_FLAG_SEEN 0x08

/* Agent-log entries are sent to policyd without waiting for its reply
 * (at most 256 in flight; replies are collected on later calls without
 * waiting, on the assignment check and at session end). An entry policyd
 * did not make durable (tempfail, connection lost) goes to a retry queue
 * (at most 1000) and is sent again, oldest first, before the next entry,
 * on bwa_retry_pending and at session end (docs/dovecot-auth.md).
 *
 * A flag change on one mail: records read / answered / deleted for each
 * flag that became set. message_id may be NULL. 1 sent (or nothing to
 * record), -1 an entry could not be sent now (kept for a retry or lost,
 * logged). */
int bwa_flags_changed(bwa_session* session, unsigned int old_flags, unsigned int new_flags,
                      const char* message_id, long long occurred_at_us);

/* A mail moved (IMAP MOVE, or COPY followed by EXPUNGE in one command) to
 * `folder`. 1 sent, -1 not sent now (logged). */
int bwa_mail_moved(bwa_session* session, const char* folder, const char* message_id,
                   long long occurred_at_us);

/* A mail expunged, not by a move; flags: its flags then. "deleted" unless
 * \Deleted was set (then it was recorded when the flag was set; POP3's
 * DELE expunges without it). 1 sent, -1 not sent now (logged). */
int bwa_mail_expunged(bwa_session* session, unsigned int flags, const char* message_id,
                      long long occurred_at_us);

/* Collects the replies already there (never waits) and sends the retry
 * queue again. Called by the recheck timer. */
void bwa_retry_pending(bwa_session* session);

#ifdef __cplusplus
}
#endif

#endif
