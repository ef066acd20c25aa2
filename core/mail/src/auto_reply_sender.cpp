#include "boxwarden/auto_reply_sender.h"

#include <string>

#include "boxwarden/address.h"

namespace boxwarden {

bool is_system_local_part(std::string_view local) {
    return local == "mailer-daemon" || local == "listserv" || local == "majordomo" ||
           local.starts_with("owner-") || local.ends_with("-owner") || local.ends_with("-request");
}

bool is_noreply_local_part(std::string_view local) {
    std::string squeezed;
    for (const char c : local)
        if (c != '-' && c != '_' && c != '.') squeezed += c;
    return squeezed.starts_with("noreply") || squeezed.starts_with("donotreply");
}

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
    if (is_noreply_local_part(local)) return "sender is a no-reply address";
    if (ascii_lowercase(sender) == ascii_lowercase(mailbox)) return "sender is the mailbox itself";
    return std::nullopt;
}

}  // namespace boxwarden
