/* The C API between the plugin's C shim (boxwarden-plugin.c, the only file
 * that includes Dovecot's headers) and its C++ code (plugin_core.cpp). No
 * C++ exception crosses it: every function catches, logs through the
 * callback and returns an error code. One core per process (Dovecot
 * processes are single-threaded). */
#ifndef BOXWARDEN_PLUGIN_CORE_H
#define BOXWARDEN_PLUGIN_CORE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bwp_core bwp_core;

enum bwp_log_level { BWP_LOG_INFO = 0, BWP_LOG_WARNING = 1, BWP_LOG_ERROR = 2 };
typedef void bwp_log_func(enum bwp_log_level level, const char* message);

struct bwp_settings {
    const char* socket;      /* boxwarden_socket */
    unsigned int timeout_ms; /* boxwarden_timeout */
    int ooo_enabled;         /* boxwarden_ooo (default yes) */
    int ooo_from_mailbox;    /* boxwarden_ooo_envelope_from_mailbox (default no) */
};

/* NULL on failure (logged). */
bwp_core* bwp_core_create(const struct bwp_settings* settings, bwp_log_func* log);
void bwp_core_destroy(bwp_core** core);

/* An SMTP reply for one recipient. */
struct bwp_reply {
    int code;
    char enhanced[16];
    char text[256];
};

/* RCPT TO gate. 1: deliver. 0: reject with *reply_r (policyd's verdict).
 * -1: temporary failure, *reply_r is 451 4.3.0. address: the RCPT path
 * ("local@domain"); delimiters: recipient_delimiter ("" = none). Asks
 * policyd's request=mailbox (its verdict part decides) and keeps the
 * answer of a hosted mailbox for bwp_before_save of the same recipient
 * until bwp_transaction_end (at most 60 s). */
int bwp_rcpt_check(bwp_core* core, const char* address, const char* delimiters,
                   struct bwp_reply* reply_r);

/* The LMTP transaction ended (or a new one starts): forgets what
 * bwp_rcpt_check kept. */
void bwp_transaction_end(bwp_core* core);

struct bwp_delivery {
    const char* recipient;       /* RCPT path */
    const char* delimiters;      /* recipient_delimiter */
    const char* envelope_sender; /* MAIL FROM, "" = <> */
    const char* header;          /* the message header block */
    size_t header_size;
    long long delivered_at_us; /* Unix microseconds */
};

/* Before the message is saved for one recipient: records the received
 * activity when the recipient is a hosted mailbox (the mailbox facts from
 * this transaction's bwp_rcpt_check, else asked now). 1: go on and save.
 * -1: temporary failure (*reply_r is 451 4.3.0): do not save. Remembers the
 * mailbox facts for bwp_ooo_prepare. */
int bwp_before_save(bwp_core* core, const struct bwp_delivery* delivery, struct bwp_reply* reply_r);

struct bwp_ooo_reply {
    const char* mail_from; /* "" = <> */
    const char* rcpt_to;
    const char* message;
    size_t message_size;
};

/* After the save of the delivery given to bwp_before_save: 1 when an
 * out-of-office reply is due and claimed (*reply_r filled, valid until the
 * next call), 0 when none is sent, -1 on error (logged). */
int bwp_ooo_prepare(bwp_core* core, const struct bwp_delivery* delivery,
                    struct bwp_ooo_reply* reply_r);

/* After the reply of the last bwp_ooo_prepare could not be sent: gives its
 * claim back to policyd (request=ooo_release), so that the next mail from
 * that sender gets the reply. Logs the outcome. 1: released. 0: nothing to
 * release (no claim pending, or policyd no longer holds it). -1: the
 * release failed (logged; the delivery is not affected). */
int bwp_ooo_release(bwp_core* core);

#ifdef __cplusplus
}
#endif

#endif
