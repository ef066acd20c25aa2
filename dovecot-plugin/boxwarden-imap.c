/* boxwarden's Dovecot plugin, IMAP process: a session opened with a master
 * login ("address*login") ends with a BYE once the login is no longer
 * assigned to the mailbox. policyd is asked on every SELECT/EXAMINE (the
 * command is refused with NO [NOPERM] and the session ends) and at most
 * every boxwarden_assignment_recheck in between (a timer, so an IDLE
 * session ends too). See boxwarden-access.h. */
/* Dovecot headers must come in this order (lib.h first): not sorted. */
/* clang-format off */
#include "lib.h"
#include "ioloop.h"
#include "module-context.h"
#include "mail-user.h"
#include "imap-common.h"
#include "imap-client.h"
#include "imap-commands.h"
/* clang-format on */

#include "boxwarden-access.h"

/* IMAP's symbols live in the imap binary: weak, so that the module still
 * loads (and this part does nothing) in lmtp, pop3 or doveadm. */
#pragma weak imap_client_created_hook_set
#pragma weak imap_module_register
#pragma weak command_hook_register
#pragma weak command_hook_unregister
#pragma weak client_disconnect_with_error
#pragma weak client_send_tagline

#define BOXWARDEN_IMAP_CONTEXT(obj) MODULE_CONTEXT(obj, boxwarden_imap_module)

struct boxwarden_imap_client {
    union imap_module_context module_ctx;
    struct client* client;
    struct timeout* to_recheck;
};

static MODULE_CONTEXT_DEFINE_INIT(boxwarden_imap_module, &imap_module_register);
static imap_client_created_func_t* boxwarden_imap_next_hook;
static bool boxwarden_imap_registered;

static void boxwarden_imap_end(struct client* client, const char* message) {
    client_disconnect_with_error(client, message);
}

static void boxwarden_imap_recheck(struct boxwarden_imap_client* bclient) {
    bwa_session* session = boxwarden_access_session(bclient->client->user);
    const char* message = NULL;

    if (session == NULL || bclient->client->disconnected) return;
    bwa_retry_pending(session);
    if (bwa_assignment_check(session, &message) == 0) boxwarden_imap_end(bclient->client, message);
}

/* Replaces a SELECT/EXAMINE refused for lack of assignment. */
static bool boxwarden_imap_cmd_revoked(struct client_command_context* cmd) {
    client_send_tagline(cmd, "NO [NOPERM] Access revoked: no longer assigned to this mailbox");
    boxwarden_imap_end(cmd->client, "Access revoked: no longer assigned to this mailbox");
    return TRUE;
}

static void boxwarden_imap_cmd_pre(struct client_command_context* cmd) {
    bwa_session* session;
    const char* message = NULL;

    if (cmd->name == NULL ||
        (strcasecmp(cmd->name, "SELECT") != 0 && strcasecmp(cmd->name, "EXAMINE") != 0))
        return;
    session = boxwarden_access_session(cmd->client->user);
    if (session == NULL || !bwa_session_is_master_login(session)) return;
    if (bwa_assignment_check(session, &message) == 0) cmd->func = boxwarden_imap_cmd_revoked;
}

static void boxwarden_imap_cmd_post(struct client_command_context* cmd ATTR_UNUSED) {}

static void boxwarden_imap_destroy(struct client* client, const char* reason) {
    struct boxwarden_imap_client* bclient = BOXWARDEN_IMAP_CONTEXT(client);

    timeout_remove(&bclient->to_recheck);
    bclient->module_ctx.super.destroy(client, reason);
}

static void boxwarden_imap_client_created(struct client** clientp) {
    struct client* client = *clientp;
    struct boxwarden_imap_client* bclient;
    bwa_session* session = boxwarden_access_session(client->user);

    if (session != NULL && bwa_session_is_master_login(session)) {
        bclient = p_new(client->pool, struct boxwarden_imap_client, 1);
        bclient->module_ctx.super = client->v;
        bclient->client = client;
        client->v.destroy = boxwarden_imap_destroy;
        MODULE_CONTEXT_SET(client, boxwarden_imap_module, bclient);
        bclient->to_recheck =
            timeout_add(boxwarden_access_recheck_ms(client->user), boxwarden_imap_recheck, bclient);
    }
    if (boxwarden_imap_next_hook != NULL) boxwarden_imap_next_hook(clientp);
}

void boxwarden_imap_init(void) {
    if (imap_client_created_hook_set == NULL || command_hook_register == NULL) return;
    boxwarden_imap_next_hook = imap_client_created_hook_set(boxwarden_imap_client_created);
    command_hook_register(boxwarden_imap_cmd_pre, boxwarden_imap_cmd_post);
    boxwarden_imap_registered = TRUE;
}

void boxwarden_imap_deinit(void) {
    if (!boxwarden_imap_registered) return;
    command_hook_unregister(boxwarden_imap_cmd_pre, boxwarden_imap_cmd_post);
    (void)imap_client_created_hook_set(boxwarden_imap_next_hook);
    boxwarden_imap_registered = FALSE;
}
