// History survives hand edits (DESIGN.md §1.3/§1.6, issue #7): the tables
// that hold history or computed snapshots are written only by their owning
// triggers, assignment periods stay in the past and never overlap, and values
// that would corrupt headers or wrap time are refused with a clear reason.
#include <gtest/gtest.h>

#include <string>

#include "test_database.h"

namespace boxwarden::testing {
namespace {

class HistoryHardening : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de'), ('other.de')");
        db->execute("INSERT INTO mailbox (address, vip) VALUES ('ceo@example.de', 1)");
        db->execute(
            "INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna'), ('bob', "
            "'Bob')");
        db->execute("CALL assign_user('ceo@example.de', 'anna')");
    }
    void sent(const std::string& event) {
        db->execute(
            "CALL record_activity(?, 'ceo@example.de', 'sent', UTC_TIMESTAMP(6), ?, "
            "'ceo@example.de', 'customer@remote.test', 'Offer', 0)",
            {event, "<" + event + "@example.de>"});
    }
    std::int64_t visible_to(const char* login) {
        return static_cast<std::int64_t>(
            db->query("CALL visible_activity(?)", {std::string(login)}).size());
    }
    std::string insert_period(const char* login, const char* from, const char* until) {
        return "INSERT INTO mailbox_assignment (mailbox_id, user_id, assigned_at, unassigned_at) "
               "SELECT m.id, u.id, " +
               std::string(from) + ", " + std::string(until) +
               " FROM mailbox m, user_account u WHERE m.address = 'ceo@example.de' AND u.login "
               "= '" +
               login + "'";
    }
};

// Finding 1: rewriting the VIP history made a new sent entry unprotected.
TEST_F(HistoryHardening, VipHistoryCannotBeWrittenByHand) {
    expect_rule("DELETE FROM mailbox_vip_history", {}, "is history and cannot be deleted");
    expect_rule(
        "INSERT INTO mailbox_vip_history (mailbox_id, vip, valid_from) SELECT id, 0, "
        "'2000-01-01' FROM mailbox",
        {}, "mailbox_vip_history is kept by the mailbox triggers and cannot be written by hand");
    expect_rule("UPDATE mailbox_vip_history SET vip = 0", {}, "is history and cannot be changed");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_vip_history WHERE vip = 1"), 1);
    sent("s1");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM activity WHERE vip_protected = 1"), 1);
    EXPECT_EQ(visible_to("bob"), 0);
    // The owning triggers still write it, and a refused hand write leaves no
    // open door for the next statement of the session.
    db->execute("UPDATE mailbox SET vip = 0");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_vip_history"), 2);
    EXPECT_EQ(db->query("SELECT @bw_owner_writing AS v")[0].opt_str("v"), std::nullopt);
}

TEST_F(HistoryHardening, ReaderSnapshotsCannotBeWrittenOrDeletedByHand) {
    sent("s1");
    expect_rule(
        "INSERT INTO activity_reader (activity_id, user_id) SELECT a.id, u.id FROM activity a, "
        "user_account u WHERE u.login = 'bob'",
        {}, "activity_reader is the reader snapshot taken when the entry was written");
    EXPECT_EQ(visible_to("bob"), 0);
    expect_rule("DELETE FROM activity_reader", {}, "cannot be deleted by hand");
    EXPECT_EQ(visible_to("anna"), 1);

    db->execute(
        "CALL record_agent_action('a1', 'ceo@example.de', 'anna', 'read', UTC_TIMESTAMP(6), "
        "'<s1@example.de>')");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM agent_log_reader"), 1);
    expect_rule(
        "INSERT INTO agent_log_reader (agent_log_id, user_id) SELECT l.id, u.id FROM agent_log "
        "l, user_account u WHERE u.login = 'bob'",
        {}, "agent_log_reader is the reader snapshot");
    expect_rule("DELETE FROM agent_log_reader", {}, "cannot be deleted by hand");

    // Purging old log rows still takes their snapshot with them.
    db->execute("DELETE FROM activity");
    db->execute("DELETE FROM agent_log");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM activity_reader"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM agent_log_reader"), 0);
}

// Finding 2: a period ending in the future was invisible yet granted access.
TEST_F(HistoryHardening, AssignmentPeriodsCannotEndOrStartInTheFuture) {
    expect_rule(insert_period("bob", "'2000-01-01'", "'2030-01-01'"), {},
                "unassigned_at 2030-01-01 00:00:00.000000 is in the future");
    expect_rule(insert_period("bob", "UTC_TIMESTAMP(6) + INTERVAL 1 HOUR", "NULL"), {},
                "is in the future");
    expect_rule("UPDATE mailbox_assignment SET unassigned_at = UTC_TIMESTAMP(6) + INTERVAL 1 DAY",
                {}, "is in the future");
    expect_rule(insert_period("bob", "'1960-01-01'", "'1961-01-01'"), {}, "before 1970-01-01");
    sent("s1");
    EXPECT_EQ(visible_to("bob"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_assignment"), 1);
}

TEST_F(HistoryHardening, AssignmentPeriodsCannotOverlap) {
    db->execute(insert_period("bob", "'2020-01-01'", "'2020-06-01'"));
    expect_rule(insert_period("bob", "'2020-05-01'", "'2020-07-01'"), {},
                "overlaps mailbox_assignment");
    expect_rule(insert_period("bob", "'2019-01-01'", "'2021-01-01'"), {},
                "overlaps mailbox_assignment");
    // An open period started in the past overlaps a later closed one.
    expect_rule(insert_period("bob", "'2020-03-01'", "NULL"), {}, "overlaps mailbox_assignment");
    // A closed period reaching into anna's open one overlaps it too.
    expect_rule(insert_period("anna", "'2020-01-01'", "UTC_TIMESTAMP(6)"), {},
                "overlaps mailbox_assignment");
    // Touching periods and periods before the open one are fine.
    db->execute(insert_period("bob", "'2020-06-01'", "'2020-07-01'"));
    db->execute(insert_period("anna", "'2020-01-01'", "'2020-02-01'"));
    db->execute("CALL assign_user('ceo@example.de', 'bob')");
    db->execute("CALL unassign_user('ceo@example.de', 'bob')");
    db->execute("CALL assign_user('ceo@example.de', 'bob')");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_assignment"), 6);
}

// Finding 4: a hand-set marker made every later change fail out of range.
TEST_F(HistoryHardening, ChangeMarkerAndChangeLogCannotBeEditedByHand) {
    expect_rule("UPDATE change_marker SET version = 18446744073709551615", {},
                "change_marker is kept by the configuration triggers");
    expect_rule("INSERT INTO change_marker (id, version, changed_at) VALUES (1, 0, NOW())", {},
                "change_marker already has its row");
    expect_rule(
        "INSERT INTO change_log (version, table_name, row_id, op, changed_at) VALUES "
        "(999999, 'mailbox', 1, 'insert', NOW())",
        {}, "change_log is written by the configuration triggers");
    expect_rule("UPDATE change_log SET row_id = 7", {}, "is history and cannot be changed");
    const auto before = count("SELECT version AS n FROM change_marker");
    db->execute("UPDATE mailbox SET email_name = 'Chef'");
    EXPECT_EQ(count("SELECT version AS n FROM change_marker"), before + 1);
    EXPECT_EQ(count("SELECT MAX(version) AS n FROM change_log"), before + 1);
    // Purging old log rows stays possible.
    db->execute("DELETE FROM change_log WHERE version < ?", {before});
}

// Finding 5: an address in another domain than domain_id was silently ignored.
TEST_F(HistoryHardening, ConflictingAddressAndDomainIdAreRefused) {
    expect_rule(
        "INSERT INTO mailbox (domain_id, local_part, address) SELECT id, 'x', 'x@example.de' "
        "FROM domain WHERE name = 'other.de'",
        {},
        "address 'x@example.de' and domain_id + local_part ('x@other.de') disagree; give either "
        "address or domain_id + local_part");
    expect_rule(
        "INSERT INTO mailbox (domain_id, local_part, address) SELECT id, 'y', 'x@example.de' "
        "FROM domain WHERE name = 'example.de'",
        {}, "disagree");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox"), 1);
    // Agreeing columns (in any case) are fine.
    db->execute(
        "INSERT INTO mailbox (domain_id, local_part, address) SELECT id, 'x', ' X@Example.DE' "
        "FROM domain WHERE name = 'example.de'");
    expect_rule(
        "UPDATE mailbox SET domain_id = (SELECT id FROM domain WHERE name = 'other.de'), address "
        "= 'z@example.de' WHERE address = 'x@example.de'",
        {}, "disagree");
    db->execute(
        "UPDATE mailbox SET domain_id = (SELECT id FROM domain WHERE name = 'other.de'), address "
        "= 'x@other.de' WHERE address = 'x@example.de'");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox WHERE address = 'x@other.de'"), 1);
}

// Finding 6: creation with VIP must not pass through a non-VIP moment.
TEST_F(HistoryHardening, CreateMailboxWithSettingsIsOneStep) {
    db->execute("CALL create_mailbox_with('boss@example.de', 'Chef', 1, 0)");
    auto rows = db->query(
        "SELECT h.vip, h.valid_from, m.created_at, m.email_name, m.active, m.deactivated_at FROM "
        "mailbox_vip_history h JOIN mailbox m ON m.id = h.mailbox_id WHERE m.address = "
        "'boss@example.de'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].i64("vip"), 1);
    EXPECT_EQ(rows[0].str("valid_from"), rows[0].str("created_at"));
    EXPECT_EQ(rows[0].str("email_name"), "Chef");
    EXPECT_EQ(rows[0].i64("active"), 0);
    EXPECT_FALSE(rows[0].is_null("deactivated_at"));
    db->execute("CALL create_mailbox_with('plain@example.de', '', NULL, NULL)");
    auto plain =
        db->query("SELECT email_name, vip, active FROM mailbox WHERE local_part = 'plain'");
    EXPECT_TRUE(plain[0].is_null("email_name"));
    EXPECT_EQ(plain[0].i64("vip"), 0);
    EXPECT_EQ(plain[0].i64("active"), 1);
}

TEST_F(HistoryHardening, MailboxThatWasEverVipCannotBeDeleted) {
    db->execute("CALL create_mailbox_with('once@example.de', NULL, 1, 1)");
    db->execute("UPDATE mailbox SET vip = 0 WHERE address = 'once@example.de'");
    expect_rule("DELETE FROM mailbox WHERE address = 'once@example.de'", {},
                "cannot be deleted: it was a VIP mailbox and its VIP history is kept");
    db->execute("CALL create_mailbox('never@example.de')");
    db->execute("DELETE FROM mailbox WHERE address = 'never@example.de'");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox"), 2);
}

// Finding 7: CR/LF and other control characters in names.
TEST_F(HistoryHardening, ControlCharactersInNamesAreRefused) {
    for (const std::string& bad : std::vector<std::string>{
             "Info\r\nBcc: x@evil.test", "Tab\there", std::string("N\0ul", 4), "Esc\x1b[2J",
             "Del\x7f", "C1 \xc2\x85", "Line\xe2\x80\xa8sep", "Para\xe2\x80\xa9sep"}) {
        expect_rule("UPDATE mailbox SET email_name = ?", {bad},
                    "mailbox 'ceo@example.de': email name refused: it contains a control "
                    "character");
        expect_rule("UPDATE user_account SET display_name = ? WHERE login = 'anna'", {bad},
                    "user 'anna': display name refused: it contains a control character");
    }
    expect_rule("INSERT INTO mailbox (address, email_name) VALUES ('n@example.de', 'a\nb')", {},
                "email name refused");
    expect_rule("CALL create_mailbox_with('n@example.de', 'a\nb', 0, 1)", {}, "email name refused");
    expect_rule("INSERT INTO user_account (login, display_name) VALUES ('carl', 'C\rarl')", {},
                "display name refused");
    // Ordinary names, including non-ASCII and quotes, are fine.
    db->execute("UPDATE mailbox SET email_name = ?", {std::string("Müller \"Büro\" – 😀 \xc2\xa0")});
    db->execute("UPDATE user_account SET display_name = 'Anna Müller' WHERE login = 'anna'");
}

// A too-long name fails before any trigger runs (error 1406, strict mode),
// so the clear message is the caller's job (boxwardenctl does it).
TEST_F(HistoryHardening, TooLongEmailNameFailsBeforeTheTriggerWithError1406) {
    try {
        db->execute("UPDATE mailbox SET email_name = ?", {std::string(256, 'n')});
        ADD_FAILURE() << "a 256-character email name was accepted";
    } catch (const db::RuleViolation& e) {
        EXPECT_EQ(e.code(), 1406) << e.what();
    }
    db->execute("UPDATE mailbox SET email_name = ?", {std::string(255, 'n')});
}

// Finding 8: times that the C++ side cannot represent are refused.
TEST_F(HistoryHardening, LogTimesOutsideTheValidRangeAreRefused) {
    for (const char* t : {"9999-12-31 23:59:59", "2200-01-01 00:00:00", "1600-01-01 00:00:00",
                          "1969-12-31 23:59:59.999999"}) {
        expect_rule("CALL record_activity('e', 'ceo@example.de', 'sent', ?, '', '', '', '', 1)",
                    {std::string(t)}, "refused: occurred_at " + std::string(t).substr(0, 19));
        expect_rule("CALL record_agent_action('a', 'ceo@example.de', 'anna', 'read', ?, '')",
                    {std::string(t)}, "is outside 1970-01-01 00:00:00 .. 2199-12-31");
    }
    db->execute(
        "CALL record_activity('e1', 'ceo@example.de', 'sent', '1970-01-01 00:00:00', '', "
        "'', '', '', 1)");
    db->execute(
        "CALL record_activity('e2', 'ceo@example.de', 'sent', '2199-12-31 23:59:59', '', "
        "'', '', '', 1)");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM activity"), 2);
}

}  // namespace
}  // namespace boxwarden::testing
