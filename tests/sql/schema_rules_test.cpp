// The schema's rules, proved against a real MariaDB with plain SQL, the way
// an admin would edit by hand.
#include <gtest/gtest.h>

#include "test_database.h"

namespace boxwarden::testing {
namespace {

class SchemaRules : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
    }
};

TEST_F(SchemaRules, MailboxUnderUnknownDomainIsRefusedNamingTheDomain) {
    expect_rule("CALL create_mailbox(?)", {std::string("info@unknown.de")},
                "domain 'unknown.de' does not exist");
    expect_rule("INSERT INTO mailbox (address) VALUES ('x@nowhere.test')", {},
                "domain 'nowhere.test' does not exist");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox"), 0);
}

TEST_F(SchemaRules, MailboxUnderKnownDomainIsCreatedLowercasedWithDerivedAddress) {
    db->execute("CALL create_mailbox(?)", {std::string(" Info.Desk@EXAMPLE.de ")});
    auto rows = db->query(
        "SELECT m.local_part, m.address, d.name FROM mailbox m JOIN domain d ON d.id = "
        "m.domain_id");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].str("local_part"), "info.desk");
    EXPECT_EQ(rows[0].str("address"), "info.desk@example.de");
    EXPECT_EQ(rows[0].str("name"), "example.de");
}

TEST_F(SchemaRules, MailboxByDomainIdAndLocalPartGetsItsAddress) {
    db->execute("INSERT INTO mailbox (domain_id, local_part) SELECT id, 'Sales' FROM domain");
    EXPECT_EQ(db->query("SELECT address FROM mailbox")[0].str("address"), "sales@example.de");
    expect_rule("INSERT INTO mailbox (domain_id, local_part) VALUES (999, 'x')", {},
                "domain id 999 does not exist");
}

TEST_F(SchemaRules, AddressIsUniqueWhateverTheCase) {
    db->execute("CALL create_mailbox('info@example.de')");
    EXPECT_THROW(db->execute("CALL create_mailbox('INFO@example.de')"), db::RuleViolation);
}

TEST_F(SchemaRules, LocalPartsAreValidatedAsDotAtom) {
    for (const char* ok :
         {"a", "first.last", "o'brien", "x+tag", "a!#$%&'*+-/=?^_`{|}~b", "digits123"}) {
        EXPECT_NO_THROW(db->execute("CALL create_mailbox(?)", {std::string(ok) + "@example.de"}))
            << ok;
    }
    expect_rule("CALL create_mailbox(?)", {std::string(".lead@example.de")}, "dot");
    expect_rule("CALL create_mailbox(?)", {std::string("trail.@example.de")}, "dot");
    expect_rule("CALL create_mailbox(?)", {std::string("two..dots@example.de")}, "two dots");
    expect_rule("CALL create_mailbox(?)", {std::string("sp ace@example.de")}, "dot-atom");
    expect_rule("CALL create_mailbox(?)", {std::string("quote\"d@example.de")}, "dot-atom");
    expect_rule("CALL create_mailbox(?)", {std::string("müller@example.de")}, "dot-atom");
    expect_rule("CALL create_mailbox(?)", {std::string("@example.de")}, "empty");
    expect_rule("CALL create_mailbox(?)", {std::string("no-at-sign")}, "local-part@domain");
}

TEST_F(SchemaRules, LocalPartOf64OctetsIsAcceptedAnd65Refused) {
    EXPECT_NO_THROW(db->execute("CALL create_mailbox(?)", {std::string(64, 'a') + "@example.de"}));
    expect_rule("CALL create_mailbox(?)", {std::string(65, 'b') + "@example.de"},
                "65 octets (at most 64)");
}

TEST_F(SchemaRules, DomainNamesAreLowercasedAndValidated) {
    db->execute("INSERT INTO domain (name) VALUES (' Shop-24.XN--P1AI ')");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM domain WHERE BINARY name = 'shop-24.xn--p1ai'"), 1);
    expect_rule("INSERT INTO domain (name) VALUES ('müller.de')", {}, "xn--");
    expect_rule("INSERT INTO domain (name) VALUES ('localhost')", {}, "two or more");
    expect_rule("INSERT INTO domain (name) VALUES ('-bad.de')", {}, "labels");
    expect_rule("INSERT INTO domain (name) VALUES ('')", {}, "empty");
}

TEST_F(SchemaRules, DomainWithMailboxesCannotBeDeletedOrRenamed) {
    db->execute("CALL create_mailbox('info@example.de')");
    expect_rule("DELETE FROM domain WHERE name = 'example.de'", {}, "still has 1 mailboxes");
    expect_rule("UPDATE domain SET name = 'example.com'", {}, "cannot be renamed");
    db->execute("INSERT INTO domain (name) VALUES ('empty.de')");
    EXPECT_EQ(db->execute("DELETE FROM domain WHERE name = 'empty.de'"), 1u);
}

TEST_F(SchemaRules, FourByteUtf8RoundTrips) {
    db->execute("CALL create_mailbox('info@example.de')");
    const std::string name = "M\xC3\xBCller \xF0\x9F\x8F\xA0 Immobilien";  // Müller 🏠 Immobilien
    db->execute("UPDATE mailbox SET email_name = ? WHERE address = 'info@example.de'", {name});
    EXPECT_EQ(db->query("SELECT email_name FROM mailbox")[0].str("email_name"), name);
}

TEST_F(SchemaRules, InvalidUtf8IsRefused) {
    db->execute("CALL create_mailbox('info@example.de')");
    EXPECT_THROW(db->execute("UPDATE mailbox SET email_name = ? WHERE address = 'info@example.de'",
                             {std::string("bad \xC3\x28 byte")}),
                 db::RuleViolation);
}

TEST_F(SchemaRules, DeactivatedAtIsKeptByTrigger) {
    db->execute("CALL create_mailbox('info@example.de')");
    EXPECT_TRUE(db->query("SELECT deactivated_at FROM mailbox")[0].is_null("deactivated_at"));
    db->execute("UPDATE mailbox SET active = 0");
    auto r = db->query(
        "SELECT deactivated_at, TIMESTAMPDIFF(SECOND, deactivated_at, UTC_TIMESTAMP(6)) AS age "
        "FROM mailbox");
    ASSERT_FALSE(r[0].is_null("deactivated_at"));
    EXPECT_LE(r[0].i64("age"), 5);
    const std::string first = r[0].str("deactivated_at");
    // Unrelated edits and hand edits of the column keep the original time.
    db->execute("UPDATE mailbox SET email_name = 'X'");
    db->execute("UPDATE mailbox SET deactivated_at = '2000-01-01 00:00:00'");
    db->execute("UPDATE mailbox SET active = 0");
    EXPECT_EQ(db->query("SELECT deactivated_at FROM mailbox")[0].str("deactivated_at"), first);
    db->execute("UPDATE mailbox SET active = 1");
    EXPECT_TRUE(db->query("SELECT deactivated_at FROM mailbox")[0].is_null("deactivated_at"));
}

TEST_F(SchemaRules, MailboxCreatedInactiveGetsDeactivatedAt) {
    db->execute("INSERT INTO mailbox (address, active) VALUES ('off@example.de', 0)");
    EXPECT_FALSE(db->query("SELECT deactivated_at FROM mailbox")[0].is_null("deactivated_at"));
}

TEST_F(SchemaRules, FlagsAndOutOfOfficeFieldsAreChecked) {
    db->execute("CALL create_mailbox('info@example.de')");
    EXPECT_THROW(db->execute("UPDATE mailbox SET active = 2"), db::RuleViolation);
    EXPECT_THROW(db->execute("UPDATE mailbox SET vip = 5"), db::RuleViolation);
    EXPECT_THROW(db->execute("UPDATE mailbox SET ooo_interval_days = 0"), db::RuleViolation);
    EXPECT_THROW(db->execute("UPDATE mailbox SET ooo_start = '2026-02-01', ooo_end = '2026-01-01'"),
                 db::RuleViolation);
    EXPECT_THROW(db->execute("UPDATE mailbox SET password_hash = 'plaintext'"), db::RuleViolation);
    EXPECT_NO_THROW(db->execute("UPDATE mailbox SET password_hash = '{SHA512-CRYPT}$6$abc$def'"));
}

TEST_F(SchemaRules, UserLoginsAreLowercasedAndValidated) {
    db->execute("INSERT INTO user_account (login, display_name) VALUES (' Anna ', 'Anna A')");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM user_account WHERE BINARY login = 'anna'"), 1);
    expect_rule("INSERT INTO user_account (login) VALUES ('anna@example.de')", {}, "no @");
    expect_rule("INSERT INTO user_account (login) VALUES ('')", {}, "empty");
    EXPECT_THROW(db->execute("INSERT INTO user_account (login) VALUES ('ANNA')"),
                 db::RuleViolation);
}

TEST_F(SchemaRules, SettingsHaveDefaultsAndAreValidated) {
    EXPECT_EQ(db->query("SELECT value FROM setting WHERE name = 'vip_unprotected_cc_bcc'")[0].str(
                  "value"),
              "0");
    EXPECT_EQ(db->query("SELECT value FROM setting WHERE name = 'delivery_grace_seconds'")[0].str(
                  "value"),
              "0");
    expect_rule("UPDATE setting SET value = 'yes' WHERE name = 'vip_unprotected_cc_bcc'", {},
                "use 0 (off) or 1 (on)");
    expect_rule("UPDATE setting SET value = '1801' WHERE name = 'delivery_grace_seconds'", {},
                "0 to 1800");
    expect_rule("UPDATE setting SET value = '-1' WHERE name = 'delivery_grace_seconds'", {},
                "0 to 1800");
    EXPECT_NO_THROW(
        db->execute("UPDATE setting SET value = '1800' WHERE name = 'delivery_grace_seconds'"));
    expect_rule("INSERT INTO setting (name, value) VALUES ('no_such_thing', '1')", {},
                "unknown setting 'no_such_thing'");
    expect_rule("DELETE FROM setting WHERE name = 'vip_unprotected_cc_bcc'", {},
                "cannot be deleted");
}

// change_marker must move for every change a cache must see, and change_log
// must name the row.
TEST_F(SchemaRules, ChangeMarkerMovesOnEveryCachedChange) {
    auto version = [&] {
        return db->query("SELECT version FROM change_marker WHERE id = 1")[0].i64("version");
    };
    auto expect_bump = [&](const std::string& sql, const std::string& table) {
        const auto before = version();
        db->execute(sql);
        EXPECT_GT(version(), before) << sql;
        auto last = db->query("SELECT table_name FROM change_log ORDER BY version DESC LIMIT 1");
        ASSERT_FALSE(last.empty());
        EXPECT_EQ(last[0].str("table_name"), table) << sql;
    };
    expect_bump("INSERT INTO domain (name) VALUES ('other.de')", "domain");
    expect_bump("UPDATE domain SET name = 'other2.de' WHERE name = 'other.de'", "domain");
    expect_bump("DELETE FROM domain WHERE name = 'other2.de'", "domain");
    expect_bump("CALL create_mailbox('info@example.de')", "mailbox");
    expect_bump("UPDATE mailbox SET active = 0", "mailbox");
    expect_bump("INSERT INTO user_account (login) VALUES ('anna')", "user_account");
    expect_bump("UPDATE user_account SET display_name = 'Anna'", "user_account");
    expect_bump("CALL assign_user('info@example.de', 'anna')", "mailbox_assignment");
    expect_bump("CALL unassign_user('info@example.de', 'anna')", "mailbox_assignment");
    expect_bump("UPDATE setting SET value = '60' WHERE name = 'delivery_grace_seconds'", "setting");
    expect_bump("CALL create_mailbox('gone@example.de')", "mailbox");
    expect_bump("DELETE FROM mailbox WHERE address = 'gone@example.de'", "mailbox");
    // Versions in change_log are dense and match the marker.
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM change_log"), version());
    expect_rule("DELETE FROM change_marker", {}, "cannot be deleted");
}

TEST_F(SchemaRules, ChangeMarkerVersionsFollowCommitOrder) {
    // While one transaction holds a new version uncommitted, no other change
    // can take the next one: versions are handed out in commit order, so a
    // cache that has seen version V has seen every change up to V.
    auto other = scratch->connect();
    other->execute_script_statement("SET SESSION innodb_lock_wait_timeout = 1");
    db->begin();
    db->execute("INSERT INTO domain (name) VALUES ('first.de')");
    EXPECT_THROW(other->execute("INSERT INTO domain (name) VALUES ('second.de')"),
                 db::TemporaryFailure);
    db->commit();
    other->execute("INSERT INTO domain (name) VALUES ('second.de')");
    auto v = [&](const char* name) {
        return db
            ->query(
                "SELECT l.version FROM change_log l JOIN domain d ON d.id = l.row_id "
                "WHERE l.table_name = 'domain' AND d.name = ?",
                {std::string(name)})[0]
            .i64("version");
    };
    EXPECT_LT(v("first.de"), v("second.de"));
}

TEST_F(SchemaRules, MailboxWithHistoryCannotBeDeleted) {
    db->execute("CALL create_mailbox('info@example.de')");
    db->execute("INSERT INTO user_account (login) VALUES ('anna')");
    db->execute("CALL assign_user('info@example.de', 'anna')");
    db->execute("CALL unassign_user('info@example.de', 'anna')");
    expect_rule("DELETE FROM mailbox", {}, "deactivate it instead");
    expect_rule("DELETE FROM user_account", {}, "assignment history");
}

}  // namespace
}  // namespace boxwarden::testing
