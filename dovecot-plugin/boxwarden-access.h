/* The plugin's IMAP/POP3 side (issue #11): shared by boxwarden-access.c
 * (storage hooks: one access session per IMAP/POP3 mail_user, agent-log
 * entries from flag changes, moves and expunges), boxwarden-imap.c and
 * boxwarden-pop3.c (assignment rechecks of master-login sessions, BYE).
 * Registered by boxwarden_plugin_init (boxwarden-plugin.c). */
#ifndef BOXWARDEN_ACCESS_H
#define BOXWARDEN_ACCESS_H

#include "access_core.h"

struct module;
struct mail_user;

void boxwarden_access_init(struct module* module);
void boxwarden_access_deinit(void);

/* The access session of an IMAP/POP3 user, or NULL (another service, or
 * the plugin is off for it). */
bwa_session* boxwarden_access_session(struct mail_user* user);
/* boxwarden_assignment_recheck of that session's user, in milliseconds. */
unsigned int boxwarden_access_recheck_ms(struct mail_user* user);

/* In the imap / pop3 process only (they do nothing elsewhere). */
void boxwarden_imap_init(void);
void boxwarden_imap_deinit(void);
void boxwarden_pop3_init(void);
void boxwarden_pop3_deinit(void);

#endif
