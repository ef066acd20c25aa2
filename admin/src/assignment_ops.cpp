// Assignments: CALL assign_user / unassign_user, the procedures plain SQL
// uses, then Dovecot's auth cache is flushed for the login.
#include "boxwarden/admin.h"

namespace boxwarden::admin {

namespace {

AssignmentChange canonical(Env& env, const std::string& address, const std::string& login) {
    // The procedures refuse unknown mailboxes and users with their own
    // messages; these are only the stored spellings for the report.
    auto rows = env.db.query(
        "SELECT (SELECT address FROM mailbox WHERE address = LOWER(TRIM(?))) AS address, "
        "(SELECT login FROM user_account WHERE login = LOWER(TRIM(?))) AS login",
        {address, login});
    AssignmentChange c;
    c.address = rows[0].opt_str("address").value_or(address);
    c.login = rows[0].opt_str("login").value_or(login);
    return c;
}

AssignmentChange change(Env& env, const std::string& call, const std::string& address,
                        const std::string& login, bool removal) {
    AssignmentChange c;
    run_transaction(env.db, [&] {
        env.db.execute(call, {address, login});
        c = canonical(env, address, login);
    });
    // Dovecot caches master-user logins under the user's login (and a
    // refused login negatively), so both changes flush that login; removal
    // also flushes the mailbox's own entries.
    std::vector<std::string> flush{c.login};
    if (removal) flush.push_back(c.address);
    c.notice = notify_dovecot(env, flush, std::nullopt);
    return c;
}

}  // namespace

AssignmentChange assign_user(Env& env, const std::string& address, const std::string& login) {
    return change(env, "CALL assign_user(?, ?)", address, login, false);
}

AssignmentChange unassign_user(Env& env, const std::string& address, const std::string& login) {
    return change(env, "CALL unassign_user(?, ?)", address, login, true);
}

}  // namespace boxwarden::admin
