#pragma once
// Senders an automatic reply must never go to (RFC 3834 section 2): the
// null sender, MAILER-DAEMON, list addresses (owner-*, *-request, LISTSERV,
// majordomo), no-reply addresses, and the mailbox itself (a loop).
// postmaster is a person's role and IS answered. Pure.
#include <optional>
#include <string_view>

namespace boxwarden {

// sender and mailbox: normalised (lower case), extension already removed.
// The reason no reply may go, or nullopt when one may.
std::optional<std::string_view> never_auto_reply_reason(std::string_view sender,
                                                        std::string_view mailbox);

}  // namespace boxwarden
