// VIP visibility (DESIGN.md features 6 and 7): entries of a VIP mailbox are
// visible only to users assigned at the time of the mail, computed from the
// assignment history as of occurred_at and frozen when the entry is written.
#include <gtest/gtest.h>

#include <set>

#include "test_database.h"

namespace boxwarden::testing {
namespace {

constexpr const char* T0 = "2026-01-01 00:00:00";
constexpr const char* T1 = "2026-01-02 00:00:00";
constexpr const char* T2 = "2026-01-03 00:00:00";
constexpr const char* T3 = "2026-01-04 00:00:00";

class VipVisibility : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        db->execute("INSERT INTO mailbox (address, vip) VALUES ('vip@example.de', 1)");
        db->execute("INSERT INTO mailbox (address, vip) VALUES ('plain@example.de', 0)");
        db->execute(
            "INSERT INTO user_account (login, activity_access) VALUES "
            "('anna', 0), ('bob', 0), ('carl', 0), ('dora', 0), ('erik', 1)");
        period("anna", "vip@example.de", T0, nullptr);
        period("bob", "vip@example.de", "2026-01-02 12:00:00", nullptr);   // after T1
        period("carl", "vip@example.de", T0, "2026-01-02 12:00:00");       // left before T2
        period("dora", "vip@example.de", T0, "2026-01-01 12:00:00");       // gap over T1..T2
        period("dora", "vip@example.de", "2026-01-03 12:00:00", nullptr);  // back before T3
    }

    void period(const char* login, const char* address, const char* from, const char* until) {
        db->execute(
            "INSERT INTO mailbox_assignment (mailbox_id, user_id, assigned_at, unassigned_at) "
            "SELECT m.id, u.id, ?, ? FROM mailbox m, user_account u WHERE m.address = ? AND "
            "u.login = ?",
            {std::string(from), until ? db::Param(std::string(until)) : db::Param(nullptr),
             std::string(address), std::string(login)});
    }

    void received(const std::string& event, const char* at, bool in_to = true,
                  const char* mailbox = "vip@example.de") {
        db->execute(
            "CALL record_activity(?, ?, 'received', ?, ?, 'sender@remote.test', ?, 'Hello', ?)",
            {event, std::string(mailbox), std::string(at), "<" + event + "@remote.test>",
             std::string(mailbox), std::int64_t{in_to ? 1 : 0}});
    }
    void sent(const std::string& event, const char* at, const char* mailbox = "vip@example.de") {
        db->execute(
            "CALL record_activity(?, ?, 'sent', ?, ?, ?, 'customer@remote.test', 'Offer', 0)",
            {event, std::string(mailbox), std::string(at), "<" + event + "@example.de>",
             std::string(mailbox)});
    }

    std::set<std::string> visible(const char* viewer) {
        std::set<std::string> out;
        for (const auto& r : db->query("CALL visible_activity(?)", {std::string(viewer)}))
            out.insert(r.str("event_id"));
        return out;
    }
    std::set<std::string> visible_log(const char* viewer) {
        std::set<std::string> out;
        for (const auto& r : db->query("CALL visible_agent_log(?)", {std::string(viewer)}))
            out.insert(r.str("event_id"));
        return out;
    }
    using S = std::set<std::string>;
};

TEST_F(VipVisibility, AssignedBeforeTheMailSeesIt) {
    received("m1", T1);
    EXPECT_EQ(visible("anna"), S({"m1"}));
}

TEST_F(VipVisibility, AssignedAfterTheMailDoesNotSeeItButSeesLaterMail) {
    received("m1", T1);
    received("m2", T2);
    EXPECT_EQ(visible("bob"), S({"m2"}));
}

TEST_F(VipVisibility, UnassignedKeepsOldEntriesAndMissesLaterOnes) {
    received("m1", T1);
    received("m2", T2);
    EXPECT_EQ(visible("carl"), S({"m1"}));
}

TEST_F(VipVisibility, ReassignedSeesBothWindowsButNotTheGap) {
    received("m0", "2026-01-01 06:00:00");
    received("m1", T1);
    received("m2", T2);
    received("m3", T3);
    EXPECT_EQ(visible("dora"), S({"m0", "m3"}));
}

TEST_F(VipVisibility, UsersWithoutAssignmentSeeNoVipEntriesEvenWithActivityAccess) {
    received("m1", T1);
    EXPECT_EQ(visible("erik"), S());
}

TEST_F(VipVisibility, SnapshotIsFrozenWhenWritten) {
    // Written while carl is assigned: he keeps it after being unassigned now,
    // and anna's later re-assignment changes nothing about old rows.
    db->execute(
        "UPDATE mailbox_assignment a JOIN user_account u ON u.id = a.user_id "
        "SET a.unassigned_at = UTC_TIMESTAMP(6) WHERE u.login = 'anna' AND a.unassigned_at IS "
        "NULL");
    received("m1", T1);
    EXPECT_EQ(visible("anna"), S({"m1"}));
    EXPECT_EQ(visible("carl"), S({"m1"}));
    db->execute("CALL assign_user('vip@example.de', 'erik')");
    EXPECT_EQ(visible("erik"), S());
}

TEST_F(VipVisibility, RawDeleteOfAssignmentKeepsPastVisibility) {
    received("m1", T1);
    EXPECT_THROW(db->execute("DELETE FROM mailbox_assignment WHERE user_id = (SELECT id FROM "
                             "user_account WHERE login = 'carl')"),
                 db::RuleViolation);
    received("m1b", "2026-01-02 06:00:00");  // still inside carl's period
    EXPECT_EQ(visible("carl"), S({"m1", "m1b"}));
}

TEST_F(VipVisibility, CcBccSettingOffKeepsCcMailProtected) {
    received("cc1", T1, /*in_to=*/false);
    EXPECT_EQ(visible("anna"), S({"cc1"}));
    EXPECT_EQ(visible("erik"), S());
}

TEST_F(VipVisibility, CcBccSettingOnUnprotectsMailNotAddressedInTo) {
    db->execute("UPDATE setting SET value = '1' WHERE name = 'vip_unprotected_cc_bcc'");
    received("cc1", T1, /*in_to=*/false);
    received("to1", T1, /*in_to=*/true);
    EXPECT_EQ(count("SELECT vip_protected AS n FROM activity WHERE event_id = 'cc1'"), 0);
    EXPECT_EQ(visible("erik"), S({"cc1"}));  // general rule: activity_access
    EXPECT_EQ(visible("anna"), S({"to1"}));  // anna has no activity_access
}

TEST_F(VipVisibility, SentMailIsAlwaysProtected) {
    db->execute("UPDATE setting SET value = '1' WHERE name = 'vip_unprotected_cc_bcc'");
    sent("s1", T1);
    EXPECT_EQ(count("SELECT vip_protected AS n FROM activity WHERE event_id = 's1'"), 1);
    EXPECT_EQ(visible("anna"), S({"s1"}));
    EXPECT_EQ(visible("erik"), S());
}

TEST_F(VipVisibility, NonVipEntriesFollowActivityAccess) {
    received("p1", T1, true, "plain@example.de");
    EXPECT_EQ(visible("erik"), S({"p1"}));
    EXPECT_EQ(visible("anna"), S());
    db->execute("UPDATE user_account SET activity_access = 1 WHERE login = 'anna'");
    EXPECT_EQ(visible("anna"), S({"p1"}));
}

TEST_F(VipVisibility, VipStatusIsTakenAtTheTimeOfTheMail) {
    // plain@ becomes VIP now: a mail from before stays unprotected, one
    // after is protected; after VIP is switched off again, unprotected.
    received("before", "2026-01-01 00:00:00", true, "plain@example.de");
    db->execute("UPDATE mailbox SET vip = 1 WHERE address = 'plain@example.de'");
    db->execute(
        "CALL record_activity('during', 'plain@example.de', 'received', UTC_TIMESTAMP(6) + "
        "INTERVAL 1 SECOND, '<d@x>', 's@x.de', 'plain@example.de', 'x', 1)");
    auto protected_ = [&](const char* e) {
        return count("SELECT vip_protected AS n FROM activity WHERE event_id = ?",
                     {std::string(e)});
    };
    EXPECT_EQ(protected_("before"), 0);
    EXPECT_EQ(protected_("during"), 1);
}

TEST_F(VipVisibility, ReplayOfTheSameEventIdInsertsNothing) {
    received("m1", T1);
    received("m1", T1);
    received("m1", T2);  // same id, other payload: first write wins
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM activity"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM activity_reader"), 2);  // anna and carl at T1
    EXPECT_EQ(visible("anna"), S({"m1"}));
}

TEST_F(VipVisibility, AgentLogFollowsTheSameRules) {
    db->execute(
        "CALL record_agent_action('a1', 'vip@example.de', 'anna', 'read', ?, '<m1@remote.test>')",
        {std::string(T1)});
    db->execute(
        "CALL record_agent_action('a2', 'vip@example.de', 'bob', 'answered', ?, "
        "'<m1@remote.test>')",
        {std::string(T2)});
    db->execute(
        "CALL record_agent_action('a2', 'vip@example.de', 'bob', 'answered', ?, "
        "'<m1@remote.test>')",
        {std::string(T2)});
    db->execute("CALL record_agent_action('p1', 'plain@example.de', 'anna', 'deleted', ?, '<p@x>')",
                {std::string(T1)});
    EXPECT_EQ(visible_log("anna"), S({"a1", "a2"}));
    EXPECT_EQ(visible_log("bob"), S({"a2"}));
    EXPECT_EQ(visible_log("carl"), S({"a1"}));
    EXPECT_EQ(visible_log("erik"), S({"p1"}));
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM agent_log WHERE event_id = 'a2'"), 1);
}

TEST_F(VipVisibility, AgentLogOfMailLoggedUnprotectedByCcRuleIsUnprotected) {
    db->execute("UPDATE setting SET value = '1' WHERE name = 'vip_unprotected_cc_bcc'");
    received("cc1", T1, /*in_to=*/false);
    db->execute(
        "CALL record_agent_action('a1', 'vip@example.de', 'anna', 'read', ?, '<cc1@remote.test>')",
        {std::string(T2)});
    EXPECT_EQ(visible_log("erik"), S({"a1"}));
}

TEST_F(VipVisibility, BadWritesAreRefusedWithTheReason) {
    expect_rule("CALL record_activity('x', 'nope@example.de', 'received', ?, '', '', '', '', 1)",
                {std::string(T1)}, "mailbox 'nope@example.de' does not exist");
    expect_rule("CALL record_activity('x', 'vip@example.de', 'forwarded', ?, '', '', '', '', 1)",
                {std::string(T1)}, "is not sent or received");
    expect_rule("CALL record_activity('', 'vip@example.de', 'sent', ?, '', '', '', '', 1)",
                {std::string(T1)}, "event_id is empty");
    expect_rule("CALL record_agent_action('y', 'vip@example.de', 'zed', 'read', ?, '')",
                {std::string(T1)}, "user 'zed' does not exist");
    expect_rule("CALL record_agent_action('y', 'vip@example.de', 'anna', 'printed', ?, '')",
                {std::string(T1)}, "is not read, answered, deleted or moved");
    expect_rule("CALL visible_activity('zed')", {}, "user 'zed' does not exist");
    received("m1", T1);
    expect_rule("UPDATE activity SET vip_protected = 0", {}, "cannot be changed");
    expect_rule("UPDATE activity_reader SET user_id = 99", {}, "cannot be changed");
}

TEST_F(VipVisibility, ViewAgreesWithProcedure) {
    received("m1", T1);
    received("m2", T2);
    received("p1", T1, true, "plain@example.de");
    for (const char* who : {"anna", "bob", "carl", "dora", "erik"}) {
        S from_view;
        for (const auto& r :
             db->query("SELECT event_id FROM activity_visible_to WHERE viewer_login = ?",
                       {std::string(who)}))
            from_view.insert(r.str("event_id"));
        EXPECT_EQ(from_view, visible(who)) << who;
    }
}

}  // namespace
}  // namespace boxwarden::testing
