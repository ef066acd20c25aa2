/* boxwarden's Dovecot plugin, POP3 process: a session opened with a master
 * login ends (-ERR, then the connection is closed) once the login is no
 * longer assigned to the mailbox; policyd is asked every
 * boxwarden_assignment_recheck (POP3 has no SELECT: the mailbox is opened
 * once at login, when the master passdb has just checked the assignment).
 * See boxwarden-access.h. */
/* Dovecot headers must come in this order (lib.h first): not sorted. */
/* clang-format off */
#include "lib.h"
#include "ioloop.h"
#include "module-context.h"
#include "mail-user.h"
#include "pop3-common.h"
#include "pop3-client.h"
/* clang-format on */

#include "boxwarden-access.h"

/* POP3's symbols live in the pop3 binary: weak (see boxwarden-imap.c). */
#pragma weak pop3_client_created_hook_set
#pragma weak pop3_module_register
#pragma weak client_send_line
#pragma weak client_disconnect

#define BOXWARDEN_POP3_CONTEXT(obj) MODULE_CONTEXT(obj, boxwarden_pop3_module)

struct boxwarden_pop3_client {
    union pop3_module_context module_ctx;
    struct client* client;
    struct timeout* to_recheck;
};

static MODULE_CONTEXT_DEFINE_INIT(boxwarden_pop3_module, &pop3_module_register);
static pop3_client_created_func_t* boxwarden_pop3_next_hook;
static bool boxwarden_pop3_registered;

static void boxwarden_pop3_recheck(struct boxwarden_pop3_client* bclient) {
    struct client* client = bclient->client;
    bwa_session* session = boxwarden_access_session(client->user);
    const char* message = NULL;

    if (session == NULL || client->disconnected) return;
    bwa_retry_pending(session);
    if (bwa_assignment_check(session, &message) == 0) {
        client_send_line(client, "-ERR [SYS/PERM] %s", message);
        client_disconnect(client, message);
    }
}

static void boxwarden_pop3_destroy(struct client* client, const char* reason) {
    struct boxwarden_pop3_client* bclient = BOXWARDEN_POP3_CONTEXT(client);

    timeout_remove(&bclient->to_recheck);
    bclient->module_ctx.super.destroy(client, reason);
}

static void boxwarden_pop3_client_created(struct client** clientp) {
    struct client* client = *clientp;
    struct boxwarden_pop3_client* bclient;
    bwa_session* session = boxwarden_access_session(client->user);

    if (session != NULL && bwa_session_is_master_login(session)) {
        bclient = p_new(client->pool, struct boxwarden_pop3_client, 1);
        bclient->module_ctx.super = client->v;
        bclient->client = client;
        client->v.destroy = boxwarden_pop3_destroy;
        MODULE_CONTEXT_SET(client, boxwarden_pop3_module, bclient);
        bclient->to_recheck =
            timeout_add(boxwarden_access_recheck_ms(client->user), boxwarden_pop3_recheck, bclient);
    }
    if (boxwarden_pop3_next_hook != NULL) boxwarden_pop3_next_hook(clientp);
}

void boxwarden_pop3_init(void) {
    if (pop3_client_created_hook_set == NULL) return;
    boxwarden_pop3_next_hook = pop3_client_created_hook_set(boxwarden_pop3_client_created);
    boxwarden_pop3_registered = TRUE;
}

void boxwarden_pop3_deinit(void) {
    if (!boxwarden_pop3_registered) return;
    (void)pop3_client_created_hook_set(boxwarden_pop3_next_hook);
    boxwarden_pop3_registered = FALSE;
}
