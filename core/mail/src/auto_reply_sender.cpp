#include "boxwarden/auto_reply_sender.h"

#include <array>

#include "boxwarden/address.h"

namespace boxwarden {

std::optional<std::string_view> never_auto_reply_reason(std::string_view sender,
                                                        std::string_view mailbox) {
    if (sender.empty() || sender == "<>") return "null sender";
    const std::size_t at = sender.rfind('@');
    const std::string local = ascii_lowercase(sender.substr(0, at));
    if (local.empty()) return "null sender";
    if (local == "mailer-daemon") return "sender is MAILER-DAEMON";
    if (local.starts_with("owner-") || local.ends_with("-owner"))
        return "sender is a list owner address";
    if (local.ends_with("-request")) return "sender is a list request address";
    if (local == "listserv" || local == "majordomo") return "sender is a list server";
    constexpr std::array kNoReply{"noreply",    "no-reply",     "no_reply",
                                  "donotreply", "do-not-reply", "do_not_reply"};
    for (std::string_view n : kNoReply)
        if (local == n) return "sender is a no-reply address";
    if (ascii_lowercase(sender) == ascii_lowercase(mailbox)) return "sender is the mailbox itself";
    return std::nullopt;
}

}  // namespace boxwarden
