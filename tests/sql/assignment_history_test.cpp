// Assignment is history, not a flag: periods with a start and an end that
// survive plain SQL edits.
#include <gtest/gtest.h>

#include "test_database.h"

namespace boxwarden::testing {
namespace {

class AssignmentHistory : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        db->execute("CALL create_mailbox('info@example.de')");
        db->execute(
            "INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna'), ('bob', "
            "'Bob')");
    }
    std::int64_t periods(const char* login) {
        return count(
            "SELECT COUNT(*) AS n FROM mailbox_assignment a JOIN user_account u ON u.id = "
            "a.user_id WHERE u.login = ?",
            {std::string(login)});
    }
    std::int64_t open_periods(const char* login) {
        return count("SELECT COUNT(*) AS n FROM current_assignment WHERE login = ?",
                     {std::string(login)});
    }
};

TEST_F(AssignmentHistory, AssignAndUnassignRecordAPeriod) {
    db->execute("CALL assign_user('info@example.de', 'anna')");
    EXPECT_EQ(open_periods("anna"), 1);
    db->execute("CALL unassign_user('INFO@example.de', 'Anna')");
    EXPECT_EQ(open_periods("anna"), 0);
    EXPECT_EQ(periods("anna"), 1);
    auto r = db->query("SELECT assigned_at, unassigned_at FROM mailbox_assignment");
    EXPECT_FALSE(r[0].is_null("unassigned_at"));
    EXPECT_LE(r[0].time("assigned_at"), r[0].time("unassigned_at"));
    // Re-assigning opens a new period; the old one stays.
    db->execute("CALL assign_user('info@example.de', 'anna')");
    EXPECT_EQ(periods("anna"), 2);
    EXPECT_EQ(open_periods("anna"), 1);
}

TEST_F(AssignmentHistory, AtMostOneOpenAssignmentPerUserAndMailbox) {
    db->execute("CALL assign_user('info@example.de', 'anna')");
    expect_rule("CALL assign_user('info@example.de', 'anna')", {}, "already assigned");
    // A raw INSERT is refused too (trigger, with the unique key as backstop).
    expect_rule(
        "INSERT INTO mailbox_assignment (mailbox_id, user_id) SELECT m.id, u.id FROM mailbox m, "
        "user_account u WHERE u.login = 'anna'",
        {}, "already assigned");
    EXPECT_EQ(periods("anna"), 1);
}

TEST_F(AssignmentHistory, UnknownMailboxOrUserOrNotAssignedIsRefused) {
    expect_rule("CALL assign_user('nope@example.de', 'anna')", {},
                "mailbox 'nope@example.de' does not exist");
    expect_rule("CALL assign_user('info@example.de', 'carl')", {}, "user 'carl' does not exist");
    expect_rule("CALL unassign_user('info@example.de', 'bob')", {},
                "'bob' is not assigned to 'info@example.de'");
}

TEST_F(AssignmentHistory, RawDeleteIsRefusedWithHowToUnassign) {
    db->execute("CALL assign_user('info@example.de', 'anna')");
    const std::string msg = expect_rule("DELETE FROM mailbox_assignment", {}, "never deleted");
    EXPECT_NE(msg.find("CALL unassign_user('info@example.de', 'anna')"), std::string::npos) << msg;
    EXPECT_EQ(periods("anna"), 1);
    EXPECT_EQ(open_periods("anna"), 1);
}

TEST_F(AssignmentHistory, ClosingByPlainUpdateIsAllowedRewritingIsNot) {
    db->execute("CALL assign_user('info@example.de', 'anna')");
    db->execute("UPDATE mailbox_assignment SET unassigned_at = UTC_TIMESTAMP(6)");
    EXPECT_EQ(open_periods("anna"), 0);
    expect_rule("UPDATE mailbox_assignment SET unassigned_at = NULL", {}, "history");
    expect_rule("UPDATE mailbox_assignment SET unassigned_at = UTC_TIMESTAMP(6) + INTERVAL 1 DAY",
                {}, "history");
    expect_rule("UPDATE mailbox_assignment SET assigned_at = '2000-01-01'", {}, "history");
    expect_rule(
        "UPDATE mailbox_assignment SET user_id = (SELECT id FROM user_account WHERE login = 'bob')",
        {}, "history");
}

TEST_F(AssignmentHistory, PeriodCannotEndBeforeItStarts) {
    db->execute("CALL assign_user('info@example.de', 'anna')");
    expect_rule("UPDATE mailbox_assignment SET unassigned_at = '2000-01-01'", {},
                "before assigned_at");
}

TEST_F(AssignmentHistory, BackfilledClosedPeriodsCanBeInserted) {
    db->execute(
        "INSERT INTO mailbox_assignment (mailbox_id, user_id, assigned_at, unassigned_at) "
        "SELECT m.id, u.id, '2020-01-01', '2020-06-01' FROM mailbox m, user_account u WHERE "
        "u.login = 'bob'");
    db->execute("CALL assign_user('info@example.de', 'bob')");
    EXPECT_EQ(periods("bob"), 2);
}

}  // namespace
}  // namespace boxwarden::testing
