// sql/grants/boxwarden-grants.sql: the application users cannot TRUNCATE or
// DROP (which would erase history without firing a trigger), yet can do
// their normal work through the triggers and procedures.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "boxwarden/sql_script.h"
#include "test_database.h"

namespace boxwarden::testing {
namespace {

class Grants : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        prefix_ = scratch->name() + "_";
        std::ifstream in(std::string(BOXWARDEN_SOURCE_DIR) + "/sql/grants/boxwarden-grants.sql");
        ASSERT_TRUE(in) << "sql/grants/boxwarden-grants.sql is missing";
        std::ostringstream s;
        s << in.rdbuf();
        db->execute_script_statement("SET @bw_role_prefix = '" + prefix_ + "'");
        for (const auto& st : split_sql_script(s.str())) db->execute_script_statement(st.text);
        for (const char* role : {"policyd", "admin", "migrate"}) {
            const std::string user = user_name(role);
            db->execute_script_statement("CREATE USER '" + user +
                                         "'@'localhost' IDENTIFIED BY 'test-pw'");
            db->execute_script_statement("GRANT `" + prefix_ + role + "` TO '" + user +
                                         "'@'localhost'");
            db->execute_script_statement("SET DEFAULT ROLE `" + prefix_ + role + "` FOR '" + user +
                                         "'@'localhost'");
        }
    }
    void TearDown() override {
        for (const char* role : {"policyd", "admin", "migrate"}) {
            try {
                db->execute_script_statement("DROP USER IF EXISTS '" + user_name(role) +
                                             "'@'localhost'");
                db->execute_script_statement("DROP ROLE IF EXISTS `" + prefix_ + role + "`");
            } catch (const std::exception&) {
            }
        }
        SqlTest::TearDown();
    }
    std::string user_name(const char* role) const { return prefix_ + std::string(role, 3); }
    std::unique_ptr<db::Connection> connect_as(const char* role) {
        auto p = scratch->params();
        p.user = user_name(role);
        p.password = "test-pw";
        return std::make_unique<db::Connection>(p);
    }
    // Expects `sql` to be refused for lack of privilege (1142 table, 1370
    // routine, 1044 database).
    static void expect_denied(db::Connection& c, const std::string& sql) {
        try {
            c.execute_script_statement(sql);
            ADD_FAILURE() << "allowed: " << sql;
        } catch (const db::Error& e) {
            EXPECT_TRUE(e.code() == 1142 || e.code() == 1370 || e.code() == 1044)
                << sql << ": " << e.what();
        }
    }

    std::string prefix_;
};

TEST_F(Grants, AdminWorksThroughTheInterfaceButCannotTruncateDropOrAlter) {
    auto admin = connect_as("admin");
    admin->execute("INSERT INTO domain (name) VALUES ('example.de')");
    admin->execute("CALL create_mailbox_with('ceo@example.de', 'Chef', 1, 1)");
    admin->execute("INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna')");
    admin->execute("CALL assign_user('ceo@example.de', 'anna')");
    admin->execute("UPDATE mailbox SET vip = 0 WHERE address = 'ceo@example.de'");
    admin->execute("UPDATE setting SET value = '1' WHERE name = 'vip_unprotected_cc_bcc'");
    EXPECT_EQ(admin->query("CALL visible_activity('anna')").size(), 0u);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_vip_history"), 2);

    for (const char* table :
         {"mailbox_assignment", "setting", "activity", "activity_reader", "agent_log_reader",
          "mailbox_vip_history", "change_marker", "change_log", "mailbox"})
        expect_denied(*admin, std::string("TRUNCATE TABLE ") + table);
    expect_denied(*admin, "DROP TABLE mailbox_assignment");
    expect_denied(*admin, "DROP TRIGGER mailbox_vip_history_before_insert");
    expect_denied(
        *admin,
        "ALTER TABLE mailbox_assignment DROP CONSTRAINT mailbox_assignment_has_assigned_at");
    expect_denied(*admin, "CREATE TABLE x (id INT)");
    expect_denied(*admin, "DROP PROCEDURE record_activity");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_assignment"), 1);
}

TEST_F(Grants, PolicydReadsConfigurationAndWritesLogsOnlyThroughItsProcedures) {
    db->execute("INSERT INTO domain (name) VALUES ('example.de')");
    db->execute("CALL create_mailbox_with('ceo@example.de', NULL, 1, 1)");
    db->execute("INSERT INTO user_account (login) VALUES ('anna')");
    db->execute("CALL assign_user('ceo@example.de', 'anna')");
    auto policyd = connect_as("policyd");
    EXPECT_EQ(policyd->query("SELECT address FROM mailbox").size(), 1u);
    EXPECT_EQ(policyd->query("SELECT version FROM change_marker").size(), 1u);
    policyd->execute(
        "CALL record_activity('e1', 'ceo@example.de', 'sent', UTC_TIMESTAMP(6), '<m1@x>', "
        "'ceo@example.de', 'c@remote.test', 'Hi', 1)");
    policyd->execute(
        "CALL record_agent_action('a1', 'ceo@example.de', 'anna', 'read', UTC_TIMESTAMP(6), "
        "'<m1@x>')");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM activity_reader"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM agent_log_reader"), 1);
    // The out-of-office state only through its two procedures.
    EXPECT_EQ(policyd->query("CALL ooo_claim_reply('ceo@example.de', 'c@remote.test', NOW(6))")
                  .at(0)
                  .i64("should_reply"),
              0);
    EXPECT_EQ(policyd
                  ->query("CALL ooo_release_reply('ceo@example.de', 'c@remote.test', "
                          "'00000000-0000-0000-0000-000000000000')")
                  .at(0)
                  .i64("released"),
              0);
    expect_denied(*policyd, "DELETE FROM ooo_reply");
    // Reopening a table whose cached copy lost its triggers (migration 0009).
    EXPECT_FALSE(policyd->query("CALL reload_cached_table('activity')").empty());

    expect_denied(*policyd, "UPDATE mailbox SET vip = 0");
    expect_denied(*policyd, "DELETE FROM activity");
    expect_denied(*policyd, "SELECT * FROM activity");
    expect_denied(*policyd, "TRUNCATE TABLE activity");
    expect_denied(*policyd, "TRUNCATE TABLE change_log");
    expect_denied(*policyd, "CALL assign_user('ceo@example.de', 'anna')");
}

TEST_F(Grants, MigrationUserHasDdl) {
    auto migrate = connect_as("migrate");
    migrate->execute_script_statement("CREATE TABLE bw_probe (id INT)");
    migrate->execute_script_statement("DROP TABLE bw_probe");
}

}  // namespace
}  // namespace boxwarden::testing
