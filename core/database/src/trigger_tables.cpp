#include "boxwarden/trigger_tables.h"

namespace boxwarden::db {

const std::vector<std::string_view>& tables_with_triggers() {
    static const std::vector<std::string_view> tables{
        "activity",           "activity_reader",         "agent_log",      "agent_log_reader",
        "change_log",         "change_marker",           "domain",         "mailbox",
        "mailbox_assignment", "mailbox_vip_history",     "setting",        "user_account",
        "web_admin",          "web_admin_recovery_code", "web_admin_totp", "web_audit"};
    return tables;
}

bool is_unloaded_triggers_error(int code, std::string_view message) {
    return code == 1064 && message.find("has an error in its body") != std::string_view::npos;
}

std::vector<std::string_view> tables_for_unloaded_triggers(std::string_view message) {
    // The server's text: "Trigger '<name>' has an error in its body: '…'".
    constexpr std::string_view kOpen = "Trigger '";
    const auto open = message.find(kOpen);
    const auto close = open == std::string_view::npos
                           ? std::string_view::npos
                           : message.find("' has an error in its body", open + kOpen.size());
    if (close == std::string_view::npos) return tables_with_triggers();
    std::string_view name = message.substr(open + kOpen.size(), close - open - kOpen.size());
    if (const auto dot = name.rfind('.'); dot != std::string_view::npos)
        name.remove_prefix(dot + 1);  // "db.trigger" on some server versions
    std::string_view best;
    for (const std::string_view table : tables_with_triggers()) {
        if (name.size() > table.size() && name.starts_with(table) && name[table.size()] == '_' &&
            table.size() > best.size())
            best = table;
    }
    if (best.empty()) return tables_with_triggers();
    return {best};
}

}  // namespace boxwarden::db
