// The Dovecot database user of sql/grants/dovecot-auth-grants.sql reads
// exactly the columns the shipped queries need and cannot write anything.
#include "access_fixture.h"
#include "boxwarden/sql_script.h"

namespace boxwarden::testing {
namespace {

class DovecotGrants : public DovecotAccess {
  protected:
    void SetUp() override {
        DovecotAccess::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        seed();
        auto p = scratch->params();
        p.user = db_user();
        p.password = kDbPassword;
        dovecot_db = std::make_unique<db::Connection>(p);
    }
    // Expects `sql` to be refused for lack of privilege: 1142 table, 1143
    // column, 1370 routine, 1044 database.
    void expect_denied(const std::string& sql) {
        try {
            dovecot_db->execute_script_statement(sql);
            ADD_FAILURE() << "allowed: " << sql;
        } catch (const db::Error& e) {
            EXPECT_TRUE(e.code() == 1142 || e.code() == 1143 || e.code() == 1370 ||
                        e.code() == 1044)
                << sql << ": " << e.code() << " " << e.what();
        }
    }
    std::unique_ptr<db::Connection> dovecot_db;
};

TEST_F(DovecotGrants, ReadsTheColumnsOfTheShippedQueries) {
    auto rows = dovecot_db->query(
        "SELECT address, password_hash FROM mailbox WHERE address = 'info@example.test'");
    ASSERT_EQ(rows.size(), 1u);
    rows = dovecot_db->query(
        "SELECT u.password_hash FROM user_account u JOIN mailbox_assignment a ON a.user_id = u.id "
        "JOIN mailbox m ON m.id = a.mailbox_id WHERE u.login = 'anna' AND m.address = "
        "'info@example.test' AND a.assigned_at <= UTC_TIMESTAMP(6) AND a.unassigned_at IS NULL");
    EXPECT_EQ(rows.size(), 1u);
}

TEST_F(DovecotGrants, CannotWriteAnything) {
    for (const char* sql : {
             "UPDATE mailbox SET password_hash = '{PLAIN}x'",
             "UPDATE mailbox SET active = 1",
             "INSERT INTO mailbox (address) VALUES ('new@example.test')",
             "DELETE FROM mailbox",
             "UPDATE user_account SET password_hash = '{PLAIN}x'",
             "INSERT INTO user_account (login) VALUES ('eve')",
             "DELETE FROM user_account",
             "UPDATE mailbox_assignment SET unassigned_at = UTC_TIMESTAMP(6)",
             "INSERT INTO mailbox_assignment (mailbox_id, user_id) VALUES (1, 2)",
             "DELETE FROM mailbox_assignment",
             "INSERT INTO domain (name) VALUES ('evil.test')",
             "UPDATE setting SET value = '1'",
             "INSERT INTO agent_log (event_id, mailbox_address, login, action, occurred_at) "
             "VALUES ('e', 'info@example.test', 'anna', 'read', UTC_TIMESTAMP(6))",
             "DELETE FROM activity",
             "DELETE FROM change_log",
             "TRUNCATE TABLE agent_log",
             "DROP TABLE ooo_reply",
             "ALTER TABLE mailbox ADD COLUMN x INT",
             "CREATE TABLE stolen (x INT)",
             "CALL assign_user('info@example.test', 'bob')",
             "CALL unassign_user('info@example.test', 'anna')",
             "CALL create_mailbox('x@example.test')",
             "CALL record_agent_action('e1', 'info@example.test', 'anna', 'read', "
             "UTC_TIMESTAMP(6), '<m@x>')",
             "CREATE VIEW v AS SELECT 1",
         })
        expect_denied(sql);
    // Nothing changed (read as root).
    EXPECT_EQ(db->query("SELECT COUNT(*) AS n FROM mailbox")[0].str("n"), "2");
    EXPECT_EQ(
        db->query("SELECT COUNT(*) AS n FROM mailbox_assignment WHERE unassigned_at IS NULL")[0]
            .str("n"),
        "1");
}

TEST_F(DovecotGrants, CannotReadWhatDovecotDoesNotNeed) {
    for (const char* sql : {
             "SELECT password_enc FROM mailbox",
             "SELECT * FROM mailbox",
             "SELECT email_name, ooo_body FROM mailbox",
             "SELECT display_name FROM user_account",
             "SELECT * FROM activity",
             "SELECT * FROM agent_log",
             "SELECT * FROM domain",
             "SELECT * FROM setting",
             "SELECT * FROM current_assignment",
             "CALL visible_activity('anna')",
         })
        expect_denied(sql);
}

TEST_F(DovecotGrants, RunningTheScriptAgainKeepsTheUsersPassword) {
    const std::string script =
        read_text(std::string(BOXWARDEN_SOURCE_DIR) + "/sql/grants/dovecot-auth-grants.sql");
    db->execute_script_statement("SET @bw_dovecot_password = 'another-password'");
    for (const auto& st : split_sql_script(script)) db->execute_script_statement(st.text);
    auto p = scratch->params();
    p.user = db_user();
    p.password = kDbPassword;
    db::Connection again(p);
    EXPECT_EQ(again.query("SELECT address FROM mailbox WHERE address = 'old@example.test'").size(),
              1u);
}

TEST_F(DovecotGrants, RefusesToCreateAUserWithoutAPassword) {
    db->execute_script_statement(
        "SET @bw_dovecot_user = 'someone_new', @bw_dovecot_password = NULL");
    const std::string script =
        read_text(std::string(BOXWARDEN_SOURCE_DIR) + "/sql/grants/dovecot-auth-grants.sql");
    try {
        for (const auto& st : split_sql_script(script)) db->execute_script_statement(st.text);
        ADD_FAILURE() << "created a user without a password";
    } catch (const db::Error& e) {
        EXPECT_NE(std::string(e.what()).find("set @bw_dovecot_password to create @bw_dovecot_user"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace boxwarden::testing
