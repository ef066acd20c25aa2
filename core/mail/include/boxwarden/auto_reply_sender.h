#pragma once
// Senders an automatic reply must never go to (RFC 3834 section 2): the
// null sender, MAILER-DAEMON, list addresses (owner-*, *-request, LISTSERV,
// majordomo), no-reply addresses, and the mailbox itself (a loop).
// postmaster is a person's role and IS answered. Pure.
#include <optional>
#include <string_view>

namespace boxwarden {

// The one list of RFC 3834 sender rules, shared by policyd's ooo_claim and
// the out-of-office decision (ooo_decision.h). `local` is a lowercase local
// part.
// MAILER-DAEMON, LISTSERV, majordomo, owner-*, *-owner, *-request.
bool is_system_local_part(std::string_view local);
// noreply, no-reply, no_reply, donotreply, do-not-reply, noreply-billing ...:
// the local part starts with "noreply" or "donotreply" once '-', '_' and '.'
// are left out.
bool is_noreply_local_part(std::string_view local);

// sender and mailbox: normalised (lower case), extension already removed.
// The reason no reply may go, or nullopt when one may.
std::optional<std::string_view> never_auto_reply_reason(std::string_view sender,
                                                        std::string_view mailbox);

}  // namespace boxwarden
