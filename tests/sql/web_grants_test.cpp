// sql/grants/boxwarden-web-grants.sql: a real database user holding the
// role <prefix>web can do everything the page does (the admin library's
// operations the page calls, and the page's own statements), and nothing
// the page must not do (rewrite the audit log or a history table, read the
// password hashes, drop, alter, create users, grant).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "boxwarden/admin.h"
#include "boxwarden/admin_directory.h"
#include "boxwarden/sql_script.h"
#include "test_database.h"

namespace boxwarden::testing {
namespace {

class WebGrants : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        prefix_ = scratch->name() + "_";
        user_ = prefix_ + "w";
        load_grants();
        key_file_ = std::string(BOXWARDEN_BINARY_DIR) + "/" + scratch->name() + ".key";
        sendmail_ = std::string(BOXWARDEN_BINARY_DIR) + "/" + scratch->name() + ".sendmail";
        {
            std::ofstream key(key_file_, std::ios::binary);
            key << std::string(32, '\x5a');
            // Reads the whole message, as a real sendmail does.
            std::ofstream sendmail(sendmail_);
            sendmail << "#!/bin/sh\ncat >/dev/null\n";
        }
        std::filesystem::permissions(sendmail_, std::filesystem::perms::owner_all);
        // The key loader refuses a key other users may read.
        std::filesystem::permissions(
            key_file_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        config_ = std::make_unique<Config>(Config::parse(
            "secret_key_file = " + key_file_ +
                "\ndoveadm_path = /nonexistent/doveadm\nsendmail_path = " + sendmail_ +
                "\n"
                "imap_host = imap.example.de\npop3_host = pop.example.de\n"
                "smtp_host = smtp.example.de\n",
            "(web grants test)"));
    }
    void TearDown() override {
        web_.reset();
        try {
            db->execute_script_statement("DROP USER IF EXISTS '" + user_ + "'@'localhost'");
            db->execute_script_statement("DROP ROLE IF EXISTS `" + prefix_ + "web`");
        } catch (const std::exception&) {
        }
        std::filesystem::remove(key_file_);
        std::filesystem::remove(sendmail_);
        SqlTest::TearDown();
    }
    // Runs the grant script as root, creating the user on its first run.
    void load_grants() {
        std::ifstream in(std::string(BOXWARDEN_SOURCE_DIR) +
                         "/sql/grants/boxwarden-web-grants.sql");
        ASSERT_TRUE(in) << "sql/grants/boxwarden-web-grants.sql is missing";
        std::ostringstream s;
        s << in.rdbuf();
        db->execute_script_statement("SET @bw_role_prefix = '" + prefix_ + "', @bw_web_user = '" +
                                     user_ + "', @bw_web_password = 'web-test-pw'");
        for (const auto& st : split_sql_script(s.str())) db->execute_script_statement(st.text);
    }
    db::Connection& web() {
        if (!web_) {
            auto p = scratch->params();
            p.user = user_;
            p.password = "web-test-pw";
            web_ = std::make_unique<db::Connection>(p);
        }
        return *web_;
    }
    admin::Env env() {
        return admin::Env{web(), *config_, [](const std::string&) {}};
    }
    // Expects `sql` to be refused for lack of privilege (1142 table, 1143
    // column, 1370 routine, 1044 database, 1227 global privilege).
    void expect_denied(const std::string& sql) {
        try {
            web().execute_script_statement(sql);
            ADD_FAILURE() << "allowed: " << sql;
        } catch (const db::Error& e) {
            EXPECT_TRUE(e.code() == 1142 || e.code() == 1143 || e.code() == 1370 ||
                        e.code() == 1044 || e.code() == 1227)
                << sql << ": " << e.code() << " " << e.what();
        }
    }
    void seed() {
        db->execute("INSERT INTO domain (name) VALUES ('example.de'), ('other.de')");
        db->execute("INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna')");
        db->execute(
            "INSERT INTO web_admin (login, password_hash, role) VALUES ('root-admin', "
            "'{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaA', 'superadmin')");
    }

    std::string prefix_, user_, key_file_, sendmail_;
    std::unique_ptr<Config> config_;
    std::unique_ptr<db::Connection> web_;
};

TEST_F(WebGrants, EveryChangeOfTheScreensWorksThroughTheAdminLibrary) {
    seed();
    admin::Env e = env();
    const auto created = admin::create_mailbox(e, "info@example.de", std::nullopt, false, true);
    EXPECT_EQ(created.address, "info@example.de");
    // Settings » Other: domains and users, as the page lists and edits them.
    EXPECT_EQ(admin::add_domain(e, "new.example").name, "new.example");
    EXPECT_GE(admin::list_domains(web()).size(), 3u);
    EXPECT_EQ(admin::remove_domain(e, "new.example").name, "new.example");
    EXPECT_FALSE(admin::list_users(web(), 1000, false).empty());
    admin::set_user_display_name(e, "anna", "Anna Müller");
    admin::set_user_activity_access(e, "anna", true);
    admin::set_mailbox_active(e, "info@example.de", false);
    admin::set_mailbox_active(e, "info@example.de", true);
    admin::set_email_name(e, "info@example.de", std::string("Info Team"));
    admin::set_email_name(e, "info@example.de", std::nullopt);
    admin::set_vip(e, "info@example.de", true);
    admin::OooNote note;
    note.subject = "Away";
    note.body = "Back on Monday";
    note.start_sql = "2026-01-01 00:00:00";
    note.end_sql = "2026-01-08 00:00:00";
    note.interval_days = 3;
    admin::enable_ooo(e, "info@example.de", note);
    admin::disable_ooo(e, "info@example.de");
    EXPECT_EQ(admin::assign_user(e, "info@example.de", "anna").login, "anna");
    EXPECT_EQ(admin::unassign_user(e, "info@example.de", "anna").login, "anna");
    admin::store_password(e, "info@example.de", "Gener4ted-Passw0rd");
    EXPECT_EQ(admin::show_password(e, "info@example.de").password, "Gener4ted-Passw0rd");
    admin::AccessDataOrder order{"info@example.de", "anna@remote.test", "en", true};
    EXPECT_TRUE(admin::send_access_data(e, order).with_password);
    EXPECT_EQ(admin::set_setting(e, "vip_unprotected_cc_bcc", "on"), "1");
    admin::set_setting(e, "delivery_grace_seconds", "60");

    // What the changes did, read as root: the triggers (the DEFINER's
    // privileges) wrote the history the web user cannot touch itself.
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_vip_history"), 2);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_assignment WHERE unassigned_at IS NOT NULL"),
              1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox WHERE password_hash LIKE '{ARGON2ID}%'"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM setting WHERE name = 'delivery_grace_seconds' AND "
                    "value = '60'"),
              1);
}

TEST_F(WebGrants, ThePagesOwnStatementsWork) {
    seed();
    admin::Env e = env();
    admin::create_mailbox(e, "info@example.de", std::nullopt, true, true);
    db::Connection& w = web();
    // Login: throttle counts, the admin's hash, a failure row.
    w.query(
        "SELECT (SELECT COUNT(*) FROM web_login_failure WHERE login = LOWER(TRIM(?)) AND "
        "failed_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_login, "
        "(SELECT COUNT(*) FROM web_login_failure WHERE client_address = ? AND "
        "failed_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_address",
        {std::string("root-admin"), std::int64_t{900}, std::string("127.0.0.1"),
         std::int64_t{900}});
    w.execute(
        "INSERT INTO web_login_failure (login, client_address, failed_at) "
        "VALUES (LOWER(TRIM(?)), ?, UTC_TIMESTAMP(6))",
        {std::string("root-admin"), std::string("127.0.0.1")});
    const auto admins =
        w.query("SELECT id, password_hash FROM web_admin WHERE login = 'root-admin'");
    ASSERT_EQ(admins.size(), 1u);
    const std::int64_t admin_id = admins[0].i64("id");
    // Sessions: create, look up (with the admin's domains), refresh, expire, end.
    const std::string hash(64, 'A');
    w.execute(
        "INSERT INTO web_session (id_hash, admin_id, csrf_token, client_address, created_at, "
        "last_seen_at) VALUES (UNHEX(?), ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
        {hash, admin_id, std::string(64, 'c'), std::string("127.0.0.1")});
    EXPECT_EQ(w.query("SELECT s.csrf_token, s.admin_id, a.login, a.role, "
                      "(SELECT GROUP_CONCAT(d.domain_id) FROM web_admin_domain d WHERE "
                      "d.admin_id = s.admin_id) AS domains FROM web_session s LEFT JOIN web_admin "
                      "a ON a.id = s.admin_id WHERE s.id_hash = UNHEX(?)",
                      {hash})
                  .size(),
              1u);
    w.execute("UPDATE web_session SET last_seen_at = UTC_TIMESTAMP(6) WHERE id_hash = UNHEX(?)",
              {hash});
    w.execute(
        "DELETE FROM web_session WHERE last_seen_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND OR "
        "created_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND",
        {std::int64_t{1800}, std::int64_t{28800}});
    w.execute("DELETE FROM web_session WHERE id_hash = UNHEX(?)", {hash});
    // The screens' reads.
    const std::int64_t domain_id =
        w.query("SELECT id FROM domain WHERE name = LOWER(TRIM(?))", {std::string("example.de")})
            .at(0)
            .i64("id");
    EXPECT_EQ(w.query("SELECT m.id, m.address, m.active, m.vip, m.email_name, (m.ooo_enabled = 1 "
                      "AND (m.ooo_start IS NULL OR m.ooo_start <= UTC_TIMESTAMP(6))) AS ooo_now, "
                      "(SELECT COUNT(*) FROM mailbox_assignment x WHERE x.mailbox_id = m.id AND "
                      "x.unassigned_at IS NULL) AS users FROM mailbox m WHERE m.domain_id IN (?) "
                      "AND m.address LIKE 'in%' ORDER BY m.address LIMIT 51",
                      {domain_id})
                  .size(),
              1u);
    EXPECT_EQ(w.query("SELECT m.address, m.deactivated_at, m.ooo_subject, m.ooo_body, m.ooo_end, "
                      "m.ooo_interval_days, m.password_enc IS NOT NULL AS can_show, "
                      "CAST(bw_setting('delivery_grace_seconds') AS UNSIGNED) AS grace "
                      "FROM mailbox m WHERE m.address = 'info@example.de'")
                  .size(),
              1u);
    w.query(
        "SELECT u.login, u.display_name, a.assigned_at, a.unassigned_at FROM "
        "mailbox_assignment a JOIN user_account u ON u.id = a.user_id WHERE a.mailbox_id > 0 "
        "ORDER BY a.assigned_at, a.id");
    EXPECT_EQ(w.query("SELECT id, name FROM domain d ORDER BY name").size(), 2u);
    EXPECT_EQ(w.query("SELECT login FROM user_account ORDER BY login LIMIT 1000").size(), 1u);
    EXPECT_GE(w.query("SELECT name, value FROM setting").size(), 2u);
    w.query("CALL visible_activity(?)", {std::string("anna")});
    w.query("CALL visible_agent_log(?)", {std::string("anna")});
    // The audit log: written by its procedure, read by the audit screen.
    w.execute("CALL web_audit_record(?, ?, ?, ?, ?, ?)",
              {std::string("root-admin"), std::string("127.0.0.1"), std::string("vip on"),
               std::string("info@example.de"), domain_id, std::string("")});
    EXPECT_EQ(w.query("SELECT occurred_at, admin_login, client_address, action, object, detail "
                      "FROM web_audit a WHERE a.domain_id IN (?) ORDER BY a.id DESC LIMIT 200",
                      {domain_id})
                  .size(),
              1u);
}

TEST_F(WebGrants, RefusesWhatThePageMustNotDo) {
    seed();
    admin::Env e = env();
    admin::create_mailbox(e, "info@example.de", std::nullopt, true, true);
    web().execute(
        "CALL web_audit_record('root-admin', '127.0.0.1', 'login', 'root-admin', NULL, '')");
    // The audit log and the history tables cannot be rewritten or emptied.
    expect_denied("UPDATE web_audit SET detail = 'x'");
    expect_denied("DELETE FROM web_audit");
    expect_denied(
        "INSERT INTO web_audit (occurred_at, admin_login, client_address, action, object) "
        "VALUES (NOW(), 'a', 'b', 'c', 'd')");
    expect_denied("TRUNCATE TABLE web_audit");
    expect_denied("DELETE FROM mailbox_vip_history");
    expect_denied(
        "INSERT INTO mailbox_vip_history (mailbox_id, vip, valid_from) VALUES (1, 0, NOW())");
    expect_denied("UPDATE mailbox_assignment SET unassigned_at = NULL");
    expect_denied("DELETE FROM mailbox_assignment");
    expect_denied("SELECT * FROM activity");
    expect_denied("DELETE FROM activity");
    expect_denied("SELECT * FROM agent_log");
    expect_denied("UPDATE change_marker SET version = version + 1");
    expect_denied("DELETE FROM change_log");
    expect_denied("DELETE FROM ooo_reply");
    // Mailboxes: no hand insert (create_mailbox_with), no delete, no address
    // change, and the password hashes are not readable.
    expect_denied("INSERT INTO mailbox (address) VALUES ('x@example.de')");
    expect_denied("DELETE FROM mailbox");
    expect_denied("UPDATE mailbox SET address = 'y@example.de' WHERE id = 1");
    expect_denied("SELECT password_hash FROM mailbox");
    expect_denied("SELECT * FROM mailbox");
    expect_denied("SELECT password_hash FROM user_account");
    // Users and admins are created with boxwardenctl; the page edits a user's
    // display name and activity access and adds/removes domains, nothing else.
    expect_denied("UPDATE user_account SET login = 'x'");
    expect_denied("UPDATE user_account SET password_hash = 'x'");
    expect_denied("INSERT INTO user_account (login) VALUES ('eve')");
    expect_denied("DELETE FROM user_account");
    expect_denied("UPDATE domain SET name = 'evil.de'");
    expect_denied("UPDATE web_admin SET role = 'superadmin'");
    expect_denied(
        "INSERT INTO web_admin (login, password_hash, role) VALUES ('eve', "
        "'{ARGON2ID}$argon2id$x', 'superadmin')");
    expect_denied("DELETE FROM web_admin");
    expect_denied("INSERT INTO web_admin_domain (admin_id, domain_id) VALUES (1, 2)");
    expect_denied("UPDATE web_session SET admin_id = 1");
    expect_denied("DELETE FROM web_login_failure");
    expect_denied("DELETE FROM setting");
    // Procedures the page does not call.
    expect_denied(
        "CALL record_activity('e1', 'info@example.de', 'sent', UTC_TIMESTAMP(6), "
        "'<m@x>', 'info@example.de', 'c@remote.test', 'Hi', 1)");
    expect_denied("CALL create_mailbox('z@example.de')");
    expect_denied("CALL ooo_claim_reply('info@example.de', 'c@remote.test', NOW(6))");
    // Structure, users, grants.
    expect_denied("DROP TABLE web_audit");
    expect_denied("DROP TABLE mailbox_vip_history");
    expect_denied("ALTER TABLE web_audit DROP COLUMN detail");
    expect_denied("CREATE TABLE x (id INT)");
    expect_denied("DROP TRIGGER web_audit_before_update");
    expect_denied("DROP PROCEDURE web_audit_record");
    expect_denied("CREATE USER 'eve'@'localhost' IDENTIFIED BY 'x'");
    expect_denied("GRANT SELECT ON mailbox TO '" + user_ + "'@'localhost'");
    expect_denied("LOCK TABLES mailbox WRITE");
    expect_denied("SELECT User FROM mysql.user");
    // Nothing of the above changed anything.
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM web_audit"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_vip_history"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM web_admin WHERE login = 'root-admin'"), 1);
}

// Migration 0008 (second factor) adds web_admin_totp and
// web_admin_recovery_code; the script grants them once they exist and runs
// without them. The tables are created here as 0008 would (when 0008 is
// applied, IF NOT EXISTS keeps its own).
TEST_F(WebGrants, SecondFactorTablesAreGrantedOnceTheyExist) {
    seed();
    db->execute_script_statement(
        "CREATE TABLE IF NOT EXISTS web_admin_totp (admin_id INT UNSIGNED NOT NULL PRIMARY KEY)");
    db->execute_script_statement(
        "CREATE TABLE IF NOT EXISTS web_admin_recovery_code (id INT UNSIGNED NOT NULL "
        "AUTO_INCREMENT PRIMARY KEY, admin_id INT UNSIGNED NOT NULL)");
    load_grants();
    web_.reset();  // the role's new grants apply to new connections
    web().query("SELECT COUNT(*) AS n FROM web_admin_totp");
    web().query("SELECT COUNT(*) AS n FROM web_admin_recovery_code");
    expect_denied("DROP TABLE web_admin_totp");
    expect_denied("ALTER TABLE web_admin_recovery_code ADD COLUMN x INT");
}

}  // namespace
}  // namespace boxwarden::testing
