/* boxwarden's Dovecot 2.3 plugin (lib90_boxwarden_plugin.so), delivery side:
 * the only file that includes Dovecot's headers. It registers the LMTP
 * hooks and hands every decision to the C++ core (plugin_core.h):
 *   cmd_rcpt      -> bwp_rcpt_check: policyd's verdict per RCPT TO (from
 *                    request=mailbox, whose answer the save reuses)
 *   trans_start, trans_free -> bwp_transaction_end (forgets those answers)
 *   local_deliver -> bwp_before_save (received activity, before the save),
 *                    the save itself, then bwp_ooo_prepare and smtp-submit
 *                    for an out-of-office reply.
 * docs/dovecot-plugin.md is the operator page. */
/* Dovecot headers must come in this order (lib.h first): not sorted. */
/* clang-format off */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "ostream.h"
#include "module-context.h"
#include "settings-parser.h"
#include "mail-user.h"
#include "message-size.h"
#include "mail-storage.h"
#include "smtp-address.h"
#include "smtp-server.h"
#include "smtp-submit.h"
#include "lda-settings.h"
#include "lmtp-common.h"
#include "lmtp-client.h"
#include "lmtp-recipient.h"
/* clang-format on */

#include "boxwarden-access.h" /* IMAP/POP3 side (boxwarden-access.c) */
#include "plugin_core.h"

#define BOXWARDEN_DEFAULT_SOCKET "/run/boxwarden/query.sock"
#define BOXWARDEN_DEFAULT_TIMEOUT_MS 2000
/* Longer header blocks are cut (policyd and the decisions need the start). */
#define BOXWARDEN_MAX_HEADER_BYTES (1024 * 1024)

/* LMTP's symbols live in the lmtp binary: weak, so that the module still
 * loads (and does nothing) in imap or doveadm. */
#pragma weak lmtp_client_created_hook_set
#pragma weak lmtp_module_register

const char* boxwarden_plugin_version = DOVECOT_ABI_VERSION;
void boxwarden_plugin_init(struct module* module);
void boxwarden_plugin_deinit(void);

#define BOXWARDEN_LMTP_CONTEXT(obj) MODULE_CONTEXT(obj, boxwarden_lmtp_module)

struct boxwarden_lmtp_client {
    union lmtp_module_context module_ctx;
};

static MODULE_CONTEXT_DEFINE_INIT(boxwarden_lmtp_module, &lmtp_module_register);
static lmtp_client_created_func_t* next_hook_client_created;
static bwp_core* boxwarden_core;
static bool boxwarden_config_broken;

static void boxwarden_log(enum bwp_log_level level, const char* message) {
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

static bool boxwarden_setting_bool(const struct mail_user_settings* set, const char* name,
                                   bool default_value) {
    const char* value = mail_user_set_plugin_getenv(set, name);

    if (value == NULL || *value == '\0') return default_value;
    return strcasecmp(value, "yes") == 0 || strcmp(value, "1") == 0 ||
           strcasecmp(value, "true") == 0;
}

/* One core per process, from the global plugin {} settings (RCPT time has
 * no mail_user, so per-user settings are not available). */
static bwp_core* boxwarden_get_core(struct client* client) {
    struct bwp_settings set;
    const char *socket, *timeout, *error;
    unsigned int msecs = BOXWARDEN_DEFAULT_TIMEOUT_MS;

    if (boxwarden_core != NULL || boxwarden_config_broken) return boxwarden_core;
    socket = mail_user_set_plugin_getenv(client->user_set, "boxwarden_socket");
    if (socket == NULL || *socket == '\0') socket = BOXWARDEN_DEFAULT_SOCKET;
    timeout = mail_user_set_plugin_getenv(client->user_set, "boxwarden_timeout");
    if (timeout != NULL && *timeout != '\0' &&
        (settings_get_time_msecs(timeout, &msecs, &error) < 0 || msecs == 0)) {
        i_error("boxwarden: invalid boxwarden_timeout '%s': every recipient is deferred", timeout);
        boxwarden_config_broken = TRUE;
        return NULL;
    }
    i_zero(&set);
    set.socket = socket;
    set.timeout_ms = msecs;
    set.ooo_enabled = boxwarden_setting_bool(client->user_set, "boxwarden_ooo", TRUE) ? 1 : 0;
    set.ooo_from_mailbox =
        boxwarden_setting_bool(client->user_set, "boxwarden_ooo_envelope_from_mailbox", FALSE) ? 1
                                                                                               : 0;
    boxwarden_core = bwp_core_create(&set, boxwarden_log);
    if (boxwarden_core == NULL) boxwarden_config_broken = TRUE;
    return boxwarden_core;
}

static const char* boxwarden_delimiters(struct client* client) {
    const char* d = client->unexpanded_lda_set->recipient_delimiter;

    return d == NULL ? "" : d;
}

static const char* boxwarden_path(const struct smtp_address* address) {
    if (address == NULL || address->localpart == NULL) return "";
    return smtp_address_encode(address);
}

static void boxwarden_reply(struct lmtp_recipient* lrcpt, const struct bwp_reply* reply) {
    smtp_server_recipient_reply(lrcpt->rcpt, reply->code, reply->enhanced, "%s", reply->text);
}

static int boxwarden_cmd_rcpt(struct client* client, struct smtp_server_cmd_ctx* cmd,
                              struct lmtp_recipient* lrcpt) {
    struct boxwarden_lmtp_client* bclient = BOXWARDEN_LMTP_CONTEXT(client);
    struct bwp_reply reply;
    bwp_core* core = boxwarden_get_core(client);
    int ret;

    i_zero(&reply);
    if (core == NULL) {
        smtp_server_recipient_reply(lrcpt->rcpt, 451, "4.3.0",
                                    "Temporary internal error, try again later");
        return -1;
    }
    ret = bwp_rcpt_check(core, boxwarden_path(lrcpt->rcpt->path), boxwarden_delimiters(client),
                         &reply);
    if (ret != 1) {
        boxwarden_reply(lrcpt, &reply);
        return -1;
    }
    return bclient->module_ctx.super.cmd_rcpt(client, cmd, lrcpt);
}

/* The header block of the message being delivered (at most
 * BOXWARDEN_MAX_HEADER_BYTES). */
static int boxwarden_read_header(struct mail* mail, string_t* header) {
    struct message_size hdr_size;
    struct istream* input;
    const unsigned char* data;
    size_t size;
    uoff_t left;
    int ret;

    if (mail_get_hdr_stream(mail, &hdr_size, &input) < 0) return -1;
    left = I_MIN(hdr_size.physical_size, BOXWARDEN_MAX_HEADER_BYTES);
    while (left > 0 && (ret = i_stream_read_more(input, &data, &size)) > 0) {
        if (size > left) size = left;
        str_append_data(header, data, size);
        i_stream_skip(input, size);
        left -= size;
    }
    return input->stream_errno != 0 ? -1 : 0;
}

/* 1 when the reply was handed over, else 0 (logged). */
static int boxwarden_send_ooo(struct lmtp_local_deliver_context* lldctx,
                              const struct bwp_ooo_reply* ooo) {
    struct smtp_submit_input input;
    struct smtp_submit* submit;
    struct smtp_address *mail_from = NULL, *rcpt_to;
    struct ostream* output;
    const char* error;
    int ret;

    if (*ooo->mail_from != '\0' &&
        smtp_address_parse_path(pool_datastack_create(), ooo->mail_from,
                                SMTP_ADDRESS_PARSE_FLAG_BRACKETS_OPTIONAL, &mail_from,
                                &error) < 0) {
        i_error("boxwarden: out-of-office reply not sent: bad sender: %s", error);
        return 0;
    }
    if (smtp_address_parse_path(pool_datastack_create(), ooo->rcpt_to,
                                SMTP_ADDRESS_PARSE_FLAG_BRACKETS_OPTIONAL, &rcpt_to, &error) < 0) {
        i_error("boxwarden: out-of-office reply not sent: bad recipient: %s", error);
        return 0;
    }
    i_zero(&input);
    submit = smtp_submit_init_simple(&input, lldctx->smtp_set, mail_from);
    smtp_submit_add_rcpt(submit, rcpt_to);
    output = smtp_submit_send(submit);
    o_stream_nsend(output, ooo->message, ooo->message_size);
    ret = smtp_submit_run(submit, &error);
    if (ret > 0)
        i_info("boxwarden: out-of-office reply sent to %s", ooo->rcpt_to);
    else
        i_error("boxwarden: out-of-office reply to %s failed (%s): %s", ooo->rcpt_to,
                ret < 0 ? "temporary" : "permanent", error);
    smtp_submit_deinit(&submit);
    return ret > 0 ? 1 : 0;
}

static int boxwarden_local_deliver(struct client* client, struct lmtp_recipient* lrcpt,
                                   struct smtp_server_cmd_ctx* cmd,
                                   struct smtp_server_transaction* trans,
                                   struct lmtp_local_deliver_context* lldctx) {
    struct boxwarden_lmtp_client* bclient = BOXWARDEN_LMTP_CONTEXT(client);
    struct bwp_delivery delivery;
    struct bwp_reply reply;
    struct bwp_ooo_reply ooo;
    bwp_core* core = boxwarden_get_core(client);
    string_t* header;
    int ret;

    if (core == NULL) {
        smtp_server_recipient_reply(lrcpt->rcpt, 451, "4.3.0",
                                    "Temporary internal error, try again later");
        return -1;
    }
    header = t_str_new(4096);
    if (boxwarden_read_header(lldctx->src_mail, header) < 0) {
        i_error("boxwarden: cannot read the message header: %s",
                mailbox_get_last_internal_error(lldctx->src_mail->box, NULL));
        smtp_server_recipient_reply(lrcpt->rcpt, 451, "4.3.0",
                                    "Temporary internal error, try again later");
        return -1;
    }
    i_zero(&delivery);
    delivery.recipient = boxwarden_path(lrcpt->rcpt->path);
    delivery.delimiters = boxwarden_delimiters(client);
    delivery.envelope_sender = boxwarden_path(trans->mail_from);
    delivery.header = str_c(header);
    delivery.header_size = str_len(header);
    delivery.delivered_at_us = (long long)lldctx->delivery_time_started.tv_sec * 1000000LL +
                               lldctx->delivery_time_started.tv_usec;
    i_zero(&reply);
    if (bwp_before_save(core, &delivery, &reply) != 1) {
        boxwarden_reply(lrcpt, &reply);
        return -1;
    }
    ret = bclient->module_ctx.super.local_deliver(client, lrcpt, cmd, trans, lldctx);
    if (ret == 0) {
        i_zero(&ooo);
        /* A failed send gives the claim back (bwp_ooo_release logs it). */
        if (bwp_ooo_prepare(core, &delivery, &ooo) == 1 && !boxwarden_send_ooo(lldctx, &ooo))
            (void)bwp_ooo_release(core);
    }
    return ret;
}

/* What bwp_rcpt_check kept is for one transaction only. */
static void boxwarden_trans_start(struct client* client, struct smtp_server_transaction* trans) {
    struct boxwarden_lmtp_client* bclient = BOXWARDEN_LMTP_CONTEXT(client);

    bwp_transaction_end(boxwarden_core);
    if (bclient->module_ctx.super.trans_start != NULL)
        bclient->module_ctx.super.trans_start(client, trans);
}

static void boxwarden_trans_free(struct client* client, struct smtp_server_transaction* trans) {
    struct boxwarden_lmtp_client* bclient = BOXWARDEN_LMTP_CONTEXT(client);

    bwp_transaction_end(boxwarden_core);
    if (bclient->module_ctx.super.trans_free != NULL)
        bclient->module_ctx.super.trans_free(client, trans);
}

static void boxwarden_client_created(struct client** clientp) {
    struct client* client = *clientp;
    struct boxwarden_lmtp_client* bclient;

    bclient = p_new(client->pool, struct boxwarden_lmtp_client, 1);
    bclient->module_ctx.super = client->v;
    client->v.cmd_rcpt = boxwarden_cmd_rcpt;
    client->v.local_deliver = boxwarden_local_deliver;
    client->v.trans_start = boxwarden_trans_start;
    client->v.trans_free = boxwarden_trans_free;
    MODULE_CONTEXT_SET(client, boxwarden_lmtp_module, bclient);

    if (next_hook_client_created != NULL) next_hook_client_created(clientp);
}

void boxwarden_plugin_init(struct module* module) {
    boxwarden_access_init(module);
    if (lmtp_client_created_hook_set == NULL) return; /* not the lmtp process */
    next_hook_client_created = lmtp_client_created_hook_set(boxwarden_client_created);
}

void boxwarden_plugin_deinit(void) {
    boxwarden_access_deinit();
    if (lmtp_client_created_hook_set != NULL)
        (void)lmtp_client_created_hook_set(next_hook_client_created);
    bwp_core_destroy(&boxwarden_core);
}
