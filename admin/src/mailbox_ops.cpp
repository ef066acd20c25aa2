// Mailbox changes: creation through CALL create_mailbox_with (one insert, so
// a VIP mailbox is VIP from its first moment); the rest are plain UPDATEs
// that the triggers check, exactly as an admin's SQL would be.
#include "boxwarden/admin.h"

namespace boxwarden::admin {

namespace {

void check_email_name(const std::string& name) {
    require_display_text(name, "the email name", kEmailNameMaxChars);
}

// Error 1406 (data too long) is raised before any trigger runs and names only
// the column; say which field and its limit.
template <typename F>
void naming_too_long_email_name(F&& f) {
    try {
        f();
    } catch (const db::RuleViolation& e) {
        if (e.code() != 1406) throw;
        throw Refusal("the email name is too long (at most " + std::to_string(kEmailNameMaxChars) +
                      " characters)");
    }
}

MailboxRef update_one(Env& env, const std::string& address, const std::string& set_clause,
                      const std::vector<db::Param>& params) {
    MailboxRef m;
    run_transaction(env.db, [&] {
        m = lock_mailbox(env.db, address);
        std::vector<db::Param> all(params);
        all.emplace_back(db::Param(m.id));
        env.db.execute("UPDATE mailbox SET " + set_clause + " WHERE id = ?", all);
    });
    return m;
}

}  // namespace

MailboxRef create_mailbox(Env& env, const std::string& address,
                          const std::optional<std::string>& email_name, bool vip, bool active) {
    db::Param name = nullptr;
    if (email_name && !email_name->empty()) {
        check_email_name(*email_name);
        name = *email_name;
    }
    MailboxRef m;
    naming_too_long_email_name([&] {
        run_transaction(env.db, [&] {
            env.db.execute(
                "CALL create_mailbox_with(?, ?, ?, ?)",
                {address, name, std::int64_t{vip ? 1 : 0}, std::int64_t{active ? 1 : 0}});
            m = lock_mailbox(env.db, address);
        });
    });
    return m;
}

MailboxRef set_mailbox_active(Env& env, const std::string& address, bool active) {
    return update_one(env, address, active ? "active = 1" : "active = 0", {});
}

MailboxRef set_email_name(Env& env, const std::string& address,
                          const std::optional<std::string>& email_name) {
    if (!email_name) return update_one(env, address, "email_name = NULL", {});
    if (email_name->empty()) throw Refusal("the email name is empty; clear it instead");
    check_email_name(*email_name);
    MailboxRef m;
    naming_too_long_email_name(
        [&] { m = update_one(env, address, "email_name = ?", {*email_name}); });
    return m;
}

MailboxRef set_vip(Env& env, const std::string& address, bool vip) {
    return update_one(env, address, "vip = ?", {std::int64_t{vip ? 1 : 0}});
}

MailboxRef enable_ooo(Env& env, const std::string& address, const OooNote& note) {
    require_utf8(note.subject, "the out-of-office subject");
    require_utf8(note.body, "the out-of-office body");
    std::string set = "ooo_enabled = 1, ooo_subject = ?, ooo_body = ?, ooo_start = ?, ooo_end = ?";
    std::vector<db::Param> params{note.subject, note.body,
                                  note.start_sql ? db::Param(*note.start_sql) : db::Param(nullptr),
                                  note.end_sql ? db::Param(*note.end_sql) : db::Param(nullptr)};
    if (note.interval_days) {
        set += ", ooo_interval_days = ?";
        params.emplace_back(*note.interval_days);
    }
    try {
        return update_one(env, address, set, params);
    } catch (const db::RuleViolation& e) {
        // A CHECK constraint names the rule but not the value: add the values.
        std::string values = "start " + (note.start_sql ? note.start_text : std::string("(none)")) +
                             ", end " + (note.end_sql ? note.end_text : std::string("(none)"));
        if (note.interval_days)
            values += ", interval " + std::to_string(*note.interval_days) + " days";
        throw db::RuleViolation(std::string(e.what()) + " (out-of-office " + values + ")", e.code(),
                                e.sqlstate());
    }
}

MailboxRef disable_ooo(Env& env, const std::string& address) {
    return update_one(env, address, "ooo_enabled = 0", {});
}

MailboxRef delete_mailbox(Env& env, const std::string& address) {
    MailboxRef m;
    run_transaction(env.db, [&] {
        m = lock_mailbox(env.db, address);
        env.db.execute("DELETE FROM mailbox WHERE id = ?", {m.id});
    });
    return m;
}

}  // namespace boxwarden::admin
