// Migration 0006 (issue #11): agent-log moves carry their target folder
// (record_agent_move), entries of a session opened with the mailbox's own
// password have no user, and the VIP rules apply to both as before.
#include <gtest/gtest.h>

#include "test_database.h"

namespace boxwarden::testing {
namespace {

class AgentLogFolder : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        db->execute("INSERT INTO mailbox (address, vip) VALUES ('vip@example.de', 1)");
        db->execute(
            "INSERT INTO user_account (login, activity_access) VALUES ('anna', 0), ('erik', 1)");
        db->execute("CALL assign_user('vip@example.de', 'anna')");
    }
};

TEST_F(AgentLogFolder, AMoveKeepsItsFolderAndFollowsTheVipRules) {
    db->execute(
        "CALL record_agent_move('m1', 'vip@example.de', 'anna', UTC_TIMESTAMP(6), '<a@x>', "
        "'Archiv/2026')");
    auto rows = db->query("SELECT action, folder, vip_protected, login FROM agent_log");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].str("action"), "moved");
    EXPECT_EQ(rows[0].str("folder"), "Archiv/2026");
    EXPECT_EQ(rows[0].str("vip_protected"), "1");
    auto seen = db->query("CALL visible_agent_log('anna')");
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].str("folder"), "Archiv/2026");
    EXPECT_EQ(db->query("CALL visible_agent_log('erik')").size(), 0u);  // not assigned then
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM agent_log_visible_to WHERE viewer_login = 'anna' "
                    "AND folder = 'Archiv/2026'"),
              1);
    // Repeated event id: stored once.
    db->execute(
        "CALL record_agent_move('m1', 'vip@example.de', 'anna', UTC_TIMESTAMP(6), '<a@x>', 'X')");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM agent_log"), 1);
}

TEST_F(AgentLogFolder, AnEntryWithoutALoginHasNoUser) {
    db->execute(
        "CALL record_agent_action('o1', 'vip@example.de', '', 'read', UTC_TIMESTAMP(6), '<a@x>')");
    auto rows = db->query("SELECT login, user_id, vip_protected FROM agent_log");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].str("login"), "");
    EXPECT_TRUE(rows[0].is_null("user_id"));
    EXPECT_EQ(rows[0].str("vip_protected"), "1");
    // Visible to the users assigned at the time, like any entry of the mailbox.
    EXPECT_EQ(db->query("CALL visible_agent_log('anna')").size(), 1u);
    EXPECT_EQ(db->query("CALL visible_agent_log('erik')").size(), 0u);
    // A login that is given must still name a user.
    expect_rule(
        "CALL record_agent_action('o2', 'vip@example.de', 'zed', 'read', UTC_TIMESTAMP(6), '')", {},
        "user 'zed' does not exist");
}

TEST_F(AgentLogFolder, OnlyAMoveHasAFolderAndAMoveNeedsOne) {
    expect_rule("CALL record_agent_move('m2', 'vip@example.de', 'anna', UTC_TIMESTAMP(6), '', '')",
                {}, "agent_log 'm2' refused: a moved entry needs its target folder");
    expect_rule(
        "INSERT INTO agent_log (event_id, mailbox_address, login, action, folder, occurred_at) "
        "VALUES ('r1', 'vip@example.de', 'anna', 'read', 'INBOX', UTC_TIMESTAMP(6))",
        {}, "agent_log 'r1' refused: only a moved entry has a folder");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM agent_log"), 0);
}

}  // namespace
}  // namespace boxwarden::testing
