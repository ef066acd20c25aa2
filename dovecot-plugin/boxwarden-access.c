/* boxwarden's Dovecot plugin, IMAP/POP3 side: storage hooks (see
 * boxwarden-access.h). For each IMAP or POP3 user it opens an access
 * session (access_core.h) that knows whether the login was a master login
 * (userdb field master_user); every flag change, move and expunge of a mail
 * becomes an agent-log entry through policyd. docs/dovecot-auth.md. */
/* Dovecot headers must come in this order (lib.h first): not sorted. */
/* clang-format off */
#include "lib.h"
#include "ioloop.h"
#include "module-context.h"
#include "settings-parser.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
/* clang-format on */

#include "boxwarden-access.h"

#define BOXWARDEN_ACCESS_DEFAULT_SOCKET "/run/boxwarden/query.sock"
#define BOXWARDEN_ACCESS_DEFAULT_TIMEOUT_MS 2000
#define BOXWARDEN_ACCESS_DEFAULT_RECHECK_MS 30000

#define BOXWARDEN_USER_CONTEXT(obj) MODULE_CONTEXT(obj, boxwarden_access_user_module)
#define BOXWARDEN_MAIL_CONTEXT(obj) MODULE_CONTEXT(obj, boxwarden_access_mail_module)
#define BOXWARDEN_BOX_CONTEXT(obj) MODULE_CONTEXT(obj, boxwarden_access_storage_module)

struct boxwarden_access_user {
    union mail_user_module_context module_ctx;
    bwa_session* session;
    unsigned int recheck_ms;
    /* The source mail of a move in progress: its expunge is the move's. */
    struct mailbox* moving_box;
    uint32_t moving_uid;
};

static MODULE_CONTEXT_DEFINE_INIT(boxwarden_access_user_module, &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(boxwarden_access_mail_module, &mail_module_register);
static MODULE_CONTEXT_DEFINE_INIT(boxwarden_access_storage_module, &mail_storage_module_register);

static void boxwarden_access_log(enum bwp_log_level level, const char* message) {
    switch (level) {
        case BWP_LOG_INFO:
            i_info("%s", message);
            break;
        case BWP_LOG_WARNING:
            i_warning("%s", message);
            break;
        default:
            i_error("%s", message);
            break;
    }
}

static long long boxwarden_access_wall_us(void) {
    return (long long)ioloop_timeval.tv_sec * 1000000LL + ioloop_timeval.tv_usec;
}

static struct boxwarden_access_user* boxwarden_access_user_of(struct mail_user* user) {
    return user == NULL ? NULL : BOXWARDEN_USER_CONTEXT(user);
}

bwa_session* boxwarden_access_session(struct mail_user* user) {
    struct boxwarden_access_user* buser = boxwarden_access_user_of(user);

    return buser == NULL ? NULL : buser->session;
}

unsigned int boxwarden_access_recheck_ms(struct mail_user* user) {
    struct boxwarden_access_user* buser = boxwarden_access_user_of(user);

    return buser == NULL ? BOXWARDEN_ACCESS_DEFAULT_RECHECK_MS : buser->recheck_ms;
}

/* A time setting in milliseconds; FALSE (logged) when it is invalid. */
static bool boxwarden_access_time_setting(struct mail_user* user, const char* name,
                                          unsigned int default_ms, unsigned int* msecs_r) {
    const char* value = mail_user_plugin_getenv(user, name);
    const char* error;

    *msecs_r = default_ms;
    if (value == NULL || *value == '\0') return TRUE;
    if (settings_get_time_msecs(value, msecs_r, &error) < 0 || *msecs_r == 0) {
        i_error("boxwarden: invalid %s '%s'", name, value);
        return FALSE;
    }
    return TRUE;
}

static void boxwarden_access_user_deinit(struct mail_user* user) {
    struct boxwarden_access_user* buser = BOXWARDEN_USER_CONTEXT(user);

    bwa_session_destroy(&buser->session);
    buser->module_ctx.super.deinit(user);
}

static void boxwarden_access_user_created(struct mail_user* user) {
    struct mail_user_vfuncs* v = user->vlast;
    struct boxwarden_access_user* buser;
    struct bwa_session_settings set;
    const char* socket;
    const char* agent_log;

    if (user->service == NULL ||
        (strcmp(user->service, "imap") != 0 && strcmp(user->service, "pop3") != 0))
        return;
    buser = p_new(user->pool, struct boxwarden_access_user, 1);
    buser->module_ctx.super = *v;
    user->vlast = &buser->module_ctx.super;
    v->deinit = boxwarden_access_user_deinit;
    MODULE_CONTEXT_SET(user, boxwarden_access_user_module, buser);

    i_zero(&set);
    socket = mail_user_plugin_getenv(user, "boxwarden_socket");
    set.socket = socket == NULL || *socket == '\0' ? BOXWARDEN_ACCESS_DEFAULT_SOCKET : socket;
    if (!boxwarden_access_time_setting(user, "boxwarden_timeout",
                                       BOXWARDEN_ACCESS_DEFAULT_TIMEOUT_MS, &set.timeout_ms))
        set.timeout_ms = BOXWARDEN_ACCESS_DEFAULT_TIMEOUT_MS;
    if (!boxwarden_access_time_setting(user, "boxwarden_assignment_recheck",
                                       BOXWARDEN_ACCESS_DEFAULT_RECHECK_MS, &buser->recheck_ms))
        buser->recheck_ms = BOXWARDEN_ACCESS_DEFAULT_RECHECK_MS;
    set.service = user->service;
    set.session_id = user->session_id == NULL ? "" : user->session_id;
    set.mailbox = user->username;
    set.master_user = mail_user_plugin_getenv(user, "master_user");
    agent_log = mail_user_plugin_getenv(user, "boxwarden_agent_log");
    set.agent_log = agent_log == NULL || *agent_log == '\0' || strcasecmp(agent_log, "yes") == 0 ||
                            strcmp(agent_log, "1") == 0
                        ? 1
                        : 0;
    buser->session = bwa_session_create(&set, boxwarden_access_log);
}

static const char* boxwarden_access_message_id(struct mail* mail) {
    const char* value;

    if (mail_get_first_header(mail, "Message-ID", &value) <= 0) return "";
    return value;
}

static void boxwarden_access_update_flags(struct mail* _mail, enum modify_type modify_type,
                                          enum mail_flags flags) {
    struct mail_private* mail = (struct mail_private*)_mail;
    union mail_module_context* bmail = BOXWARDEN_MAIL_CONTEXT(mail);
    bwa_session* session = boxwarden_access_session(_mail->box->storage->user);
    enum mail_flags old_flags, new_flags;

    if (session == NULL) {
        bmail->super.update_flags(_mail, modify_type, flags);
        return;
    }
    old_flags = mail_get_flags(_mail);
    bmail->super.update_flags(_mail, modify_type, flags);
    switch (modify_type) {
        case MODIFY_ADD:
            new_flags = old_flags | flags;
            break;
        case MODIFY_REMOVE:
            new_flags = old_flags & ~flags;
            break;
        case MODIFY_REPLACE:
        default:
            new_flags = flags;
            break;
    }
    if (((old_flags ^ new_flags) & new_flags & (MAIL_SEEN | MAIL_ANSWERED | MAIL_DELETED)) == 0)
        return;
    T_BEGIN {
        (void)bwa_flags_changed(session, old_flags & MAIL_FLAGS_MASK, new_flags & MAIL_FLAGS_MASK,
                                boxwarden_access_message_id(_mail), boxwarden_access_wall_us());
    }
    T_END;
}

static void boxwarden_access_expunge(struct mail* _mail) {
    struct mail_private* mail = (struct mail_private*)_mail;
    union mail_module_context* bmail = BOXWARDEN_MAIL_CONTEXT(mail);
    struct boxwarden_access_user* buser = boxwarden_access_user_of(_mail->box->storage->user);

    if (buser != NULL && buser->session != NULL) {
        if (buser->moving_box == _mail->box && buser->moving_uid == _mail->uid) {
            buser->moving_box = NULL; /* recorded as moved */
        } else {
            T_BEGIN {
                (void)bwa_mail_expunged(buser->session, mail_get_flags(_mail) & MAIL_FLAGS_MASK,
                                        boxwarden_access_message_id(_mail),
                                        boxwarden_access_wall_us());
            }
            T_END;
        }
    }
    bmail->super.expunge(_mail);
}

static void boxwarden_access_mail_allocated(struct mail* _mail) {
    struct mail_private* mail = (struct mail_private*)_mail;
    struct mail_vfuncs* v = mail->vlast;
    union mail_module_context* bmail;

    if (boxwarden_access_session(_mail->box->storage->user) == NULL) return;
    bmail = p_new(mail->pool, union mail_module_context, 1);
    bmail->super = *v;
    mail->vlast = &bmail->super;
    v->update_flags = boxwarden_access_update_flags;
    v->expunge = boxwarden_access_expunge;
    MODULE_CONTEXT_SET_SELF(mail, boxwarden_access_mail_module, bmail);
}

/* The destination's copy vfunc: a move (ctx->moving) is recorded with the
 * destination folder once the copy succeeded. */
static int boxwarden_access_copy(struct mail_save_context* ctx, struct mail* mail) {
    struct mailbox* dest = ctx->transaction->box;
    union mailbox_module_context* bbox = BOXWARDEN_BOX_CONTEXT(dest);
    struct boxwarden_access_user* buser = boxwarden_access_user_of(dest->storage->user);
    bool moving = ctx->moving;
    const char* folder = t_strdup(mailbox_get_vname(dest));
    int ret;

    ret = bbox->super.copy(ctx, mail); /* frees ctx */
    if (ret == 0 && moving && buser != NULL && buser->session != NULL) {
        buser->moving_box = mail->box;
        buser->moving_uid = mail->uid;
        T_BEGIN {
            (void)bwa_mail_moved(buser->session, folder, boxwarden_access_message_id(mail),
                                 boxwarden_access_wall_us());
        }
        T_END;
    }
    return ret;
}

static void boxwarden_access_mailbox_allocated(struct mailbox* box) {
    struct mailbox_vfuncs* v = box->vlast;
    union mailbox_module_context* bbox;

    if (boxwarden_access_session(box->storage->user) == NULL) return;
    bbox = p_new(box->pool, union mailbox_module_context, 1);
    bbox->super = *v;
    box->vlast = &bbox->super;
    v->copy = boxwarden_access_copy;
    MODULE_CONTEXT_SET_SELF(box, boxwarden_access_storage_module, bbox);
}

static struct mail_storage_hooks boxwarden_access_storage_hooks = {
    .mail_user_created = boxwarden_access_user_created,
    .mailbox_allocated = boxwarden_access_mailbox_allocated,
    .mail_allocated = boxwarden_access_mail_allocated,
};

void boxwarden_access_init(struct module* module) {
    mail_storage_hooks_add(module, &boxwarden_access_storage_hooks);
    boxwarden_imap_init();
    boxwarden_pop3_init();
}

void boxwarden_access_deinit(void) {
    boxwarden_pop3_deinit();
    boxwarden_imap_deinit();
    mail_storage_hooks_remove(&boxwarden_access_storage_hooks);
}
