// Global settings: the setting table, checked by its triggers.
#include "boxwarden/admin.h"

namespace boxwarden::admin {

std::string set_setting(Env& env, const std::string& name, const std::string& value_in) {
    std::string value = value_in;
    // Convenience spelling for the on/off setting; anything else goes to the
    // database as typed, so its rule decides and names the value.
    if (name == "vip_unprotected_cc_bcc") {
        // One character, assigned as such: g++ 12 -O3 warns (-Wrestrict,
        // a false positive) on assigning a const char* here.
        if (auto b = parse_bool(value)) value.assign(1, *b ? '1' : '0');
    }
    run_transaction(env.db, [&] {
        // An unknown name reaches the insert trigger and is refused there,
        // with the database's message.
        env.db.execute(
            "INSERT INTO setting (name, value) VALUES (?, ?) "
            "ON DUPLICATE KEY UPDATE value = VALUES(value)",
            {name, value});
    });
    return value;
}

}  // namespace boxwarden::admin
