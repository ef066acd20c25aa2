// boxwardenctl against a real database: every command group, exit codes,
// refusals with the database's own message, and "nothing half-written".
#include <gmock/gmock.h>

#include <algorithm>
#include <filesystem>

#include "cli_fixture.h"

namespace boxwarden::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Cli : public CliTest {};

TEST_F(Cli, HelpAndUsageErrorsExitWithTheDocumentedCodes) {
    auto help = ctl_raw({"--help"});
    EXPECT_EQ(help.code, 0) << help;
    EXPECT_THAT(help.out, HasSubstr("mailbox send-access-data"));
    EXPECT_THAT(help.out, HasSubstr("Exit codes"));
    auto sub = ctl_raw({"mailbox", "ooo", "enable", "--help"});
    EXPECT_EQ(sub.code, 0);
    EXPECT_THAT(sub.out, HasSubstr("Usage: boxwardenctl mailbox ooo enable ADDRESS"));
    auto group = ctl_raw({"password", "--help"});
    EXPECT_THAT(group.out, HasSubstr("password generate"));

    auto unknown = ctl({"mailbox", "frobnicate", "x"});
    EXPECT_EQ(unknown.code, 2) << unknown;
    EXPECT_THAT(unknown.err, HasSubstr("unknown command"));
    auto missing = ctl({"mailbox", "create"});
    EXPECT_EQ(missing.code, 2) << missing;
    EXPECT_THAT(missing.err, HasSubstr("needs ADDRESS"));
}

TEST_F(Cli, ThePasswordIsNeverTakenFromTheCommandLineNorEchoed) {
    auto r = ctl({"--password=Geheim-123", "domain", "list"});
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_THAT(r.err + r.out, Not(HasSubstr("Geheim-123")));
}

TEST_F(Cli, DatabaseUnreachableIsATemporaryFailure) {
    write_config({{"db_socket", (dir() / "no-such.sock").string()}, {"db_connect_timeout", "1s"}});
    auto r = ctl({"domain", "list"});
    EXPECT_EQ(r.code, 3) << r;
    EXPECT_THAT(r.err, HasSubstr("temporary failure"));
}

TEST_F(Cli, DatabasePasswordComesFromTheConfigOrADefaultsFileAndIsNeverPrinted) {
    db->execute("CREATE USER IF NOT EXISTS 'bwcli'@'localhost' IDENTIFIED BY 'S3cret-Db-Pass'");
    db->execute_script_statement("GRANT ALL ON `" + scratch->name() + "`.* TO 'bwcli'@'localhost'");
    write_config({{"db_user", "bwcli"}, {"db_password", "wrong-password"}});
    auto denied = ctl({"domain", "list"});
    EXPECT_EQ(denied.code, 4) << denied;  // access denied: configuration, not an outage
    EXPECT_THAT(denied.err, Not(HasSubstr("wrong-password")));

    write_file(dir() / "my.cnf",
               "[mysql]\npassword = nope\n[client]\npassword = \"S3cret-Db-Pass\"\n");
    auto ok = ctl({"--defaults-file", (dir() / "my.cnf").string(), "domain", "list"});
    EXPECT_EQ(ok.code, 0) << ok;
    EXPECT_THAT(ok.out + ok.err, Not(HasSubstr("S3cret")));

    write_config({{"db_user", "bwcli"}, {"db_password", "S3cret-Db-Pass"}});
    EXPECT_EQ(ctl({"domain", "list"}).code, 0);
    db->execute_script_statement("DROP USER 'bwcli'@'localhost'");
}

TEST_F(Cli, DbMigrateAppliesEveryMigrationToAnEmptyDatabaseAndStatusShowsIt) {
    // A second, empty database on the same server.
    const std::string name = scratch->name() + "_empty";
    db->execute_script_statement("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
    write_config({{"db_name", name}});
    // Every file in sql/migrations; the schema version is the highest number.
    int files = 0, latest = 0;
    for (const auto& f :
         std::filesystem::directory_iterator(std::string(BOXWARDEN_SOURCE_DIR) + "/sql/migrations"))
        if (f.path().extension() == ".sql") {
            ++files;
            latest = std::max(latest, std::stoi(f.path().filename().string().substr(0, 4)));
        }
    const std::string n = std::to_string(files), v = std::to_string(latest);
    auto before = ctl({"--json", "db", "status"});
    EXPECT_EQ(before.code, 0) << before;
    EXPECT_THAT(before.out, HasSubstr("\"pending\": " + n));
    auto migrate = ctl({"db", "migrate"});
    EXPECT_EQ(migrate.code, 0) << migrate;
    EXPECT_THAT(migrate.out,
                HasSubstr("applied " + n + " migration(s) (schema version " + v + ")"));
    auto again = ctl({"db", "migrate"});
    EXPECT_THAT(again.out, HasSubstr("database is up to date"));
    auto status = ctl({"db", "status"});
    EXPECT_THAT(status.out, HasSubstr("schema version: " + v));
    EXPECT_THAT(status.out, ::testing::ContainsRegex("0003_interface +applied"));
    EXPECT_THAT(status.out, ::testing::ContainsRegex("0004_history_hardening +applied"));
    db->execute_script_statement("DROP DATABASE `" + name + "`");
}

TEST_F(Cli, DomainsAddListRemoveAndRemovalRefusedWhileMailboxesExist) {
    auto add = ctl({"domain", "add", " Example.DE "});
    EXPECT_EQ(add.code, 0) << add;
    EXPECT_EQ(add.out, "added domain example.de\n");
    auto bad = ctl({"domain", "add", "no_underscores.de"});
    EXPECT_EQ(bad.code, 1) << bad;
    EXPECT_THAT(bad.err, HasSubstr("domain 'no_underscores.de' refused"));
    ctl({"mailbox", "create", "info@example.de"});
    auto list = ctl({"--json", "domain", "list"});
    EXPECT_TRUE(valid_json(list.out)) << list.out;
    EXPECT_THAT(list.out, HasSubstr("\"mailboxes\": 1"));
    auto refused = ctl({"domain", "remove", "example.de"});
    EXPECT_EQ(refused.code, 1) << refused;
    EXPECT_THAT(refused.err, HasSubstr("cannot be deleted: it still has 1 mailboxes"));
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM domain"), 1);
    ctl({"mailbox", "delete", "info@example.de"});
    EXPECT_EQ(ctl({"domain", "remove", "example.de"}).code, 0);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM domain"), 0);
    auto gone = ctl({"domain", "remove", "example.de"});
    EXPECT_EQ(gone.code, 1);
    EXPECT_THAT(gone.err, HasSubstr("domain 'example.de' does not exist"));
}

TEST_F(Cli, MailboxUnderAnUnknownDomainIsRefusedWithTheDatabasesReason) {
    db->execute("INSERT INTO domain (name) VALUES ('example.de')");
    auto r = ctl({"mailbox", "create", "info@nope.de"});
    EXPECT_EQ(r.code, 1) << r;
    EXPECT_THAT(r.err,
                HasSubstr("mailbox 'info@nope.de' refused: domain 'nope.de' does not exist"));
    auto local = ctl({"mailbox", "create", "a..b@example.de"});
    EXPECT_EQ(local.code, 1) << local;
    EXPECT_THAT(local.err, HasSubstr("two dots in a row"));
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox"), 0);
}

TEST_F(Cli, CreateWithOptionsIsOneTransaction) {
    db->execute("INSERT INTO domain (name) VALUES ('example.de')");
    auto ok = ctl({"mailbox", "create", "CEO@Example.de", "--email-name", "Geschäftsführung",
                   "--vip", "--inactive"});
    EXPECT_EQ(ok.code, 0) << ok;
    auto row =
        db->query("SELECT email_name, vip, active FROM mailbox WHERE address = 'ceo@example.de'");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0].str("email_name"), "Geschäftsführung");
    EXPECT_EQ(row[0].i64("vip"), 1);
    EXPECT_EQ(row[0].i64("active"), 0);
    // VIP from its first moment: one history row, vip = 1, dated at creation.
    auto history = db->query(
        "SELECT h.vip FROM mailbox_vip_history h JOIN mailbox m ON m.id = h.mailbox_id WHERE "
        "m.address = 'ceo@example.de' AND h.valid_from = m.created_at");
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].i64("vip"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_vip_history"), 1);
    // A refused setting (email name longer than the column): nothing created.
    auto refused =
        ctl({"mailbox", "create", "x@example.de", "--email-name", std::string(300, 'n')});
    EXPECT_EQ(refused.code, 1) << refused;
    EXPECT_THAT(refused.err, HasSubstr("the email name is too long (at most 255 characters"));
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox WHERE address = 'x@example.de'"), 0);
}

TEST_F(Cli, EmailAndDisplayNamesWithControlCharactersOrTooLongAreRefusedWithTheReason) {
    add_basic_data();
    for (const std::string bad :
         {"Info\r\nBcc: x@evil.test", "Tab\tName", "Line\xe2\x80\xa8sep", "C1\xc2\x85"}) {
        auto r = ctl({"mailbox", "set-email-name", "info@example.de", bad});
        EXPECT_EQ(r.code, 1) << r;
        EXPECT_THAT(r.err, HasSubstr("the email name refused: it contains a control character"));
        auto c = ctl({"mailbox", "create", "new@example.de", "--email-name", bad});
        EXPECT_EQ(c.code, 1) << c;
        auto u = ctl({"user", "set-display-name", "anna", bad});
        EXPECT_EQ(u.code, 1) << u;
        EXPECT_THAT(u.err, HasSubstr("the display name refused: it contains a control character"));
    }
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox WHERE address = 'new@example.de'"), 0);
    EXPECT_FALSE(value("SELECT email_name FROM mailbox WHERE address = 'info@example.de'"));
    // 255 characters (of two bytes each) fit; 256 do not, and the reason says so.
    std::string name;
    for (int i = 0; i < 255; ++i) name += "ü";
    EXPECT_EQ(ctl({"mailbox", "set-email-name", "info@example.de", name}).code, 0);
    auto tl = ctl({"mailbox", "set-email-name", "info@example.de", name + "x"});
    EXPECT_EQ(tl.code, 1) << tl;
    EXPECT_THAT(tl.err, HasSubstr("the email name is too long (at most 255 characters, got 256)"));
}

TEST_F(Cli, MailboxShowHasEverySettingAssignedUsersAndStateInBothFormats) {
    add_basic_data();
    db->execute(
        "UPDATE mailbox SET email_name = 'Müller Immobilien', vip = 1 WHERE address = "
        "'info@example.de'");
    db->execute("CALL assign_user('info@example.de', 'anna')");
    auto text = ctl({"mailbox", "show", "info@example.de"});
    EXPECT_EQ(text.code, 0) << text;
    for (const char* s : {"address:", "info@example.de", "state:", "active", "email name:",
                          "Müller Immobilien", "vip:", "yes", "out of office:", "interval days: 7",
                          "password:", "assigned users:", "anna", "Anna Schmidt", "delivery:"})
        EXPECT_THAT(text.out, HasSubstr(s));
    auto json = ctl({"--json", "mailbox", "show", "info@example.de"});
    EXPECT_TRUE(valid_json(json.out)) << json.out;
    for (const char* s : {"\"vip\": true", "\"email_name\": \"Müller Immobilien\"",
                          "\"login\": \"anna\"", "\"state\": \"active\"", "\"out_of_office\": {",
                          "\"can_be_shown\": false", "\"assignment_history_rows\": 1"})
        EXPECT_THAT(json.out, HasSubstr(s));
    auto missing = ctl({"mailbox", "show", "nobody@example.de"});
    EXPECT_EQ(missing.code, 1);
    EXPECT_THAT(missing.err, HasSubstr("mailbox 'nobody@example.de' does not exist"));
}

TEST_F(Cli, ActivateDeactivateEmailNameAndVipAreStoredAsPlainSqlWouldStoreThem) {
    add_basic_data();
    EXPECT_EQ(ctl({"mailbox", "deactivate", "info@example.de"}).code, 0);
    EXPECT_EQ(value("SELECT active FROM mailbox"), "0");
    EXPECT_TRUE(value("SELECT deactivated_at FROM mailbox").has_value());  // kept by the trigger
    EXPECT_THAT(ctl({"mailbox", "show", "info@example.de"}).out,
                HasSubstr("refused (550 5.2.1 Mailbox disabled)"));
    EXPECT_EQ(ctl({"mailbox", "activate", "info@example.de"}).code, 0);
    EXPECT_EQ(value("SELECT active FROM mailbox"), "1");
    EXPECT_FALSE(value("SELECT deactivated_at FROM mailbox").has_value());

    EXPECT_EQ(ctl({"mailbox", "set-email-name", "info@example.de", "Info \"Desk\""}).code, 0);
    EXPECT_EQ(value("SELECT email_name FROM mailbox"), "Info \"Desk\"");
    EXPECT_EQ(ctl({"mailbox", "clear-email-name", "info@example.de"}).code, 0);
    EXPECT_FALSE(value("SELECT email_name FROM mailbox").has_value());

    EXPECT_EQ(ctl({"mailbox", "vip", "info@example.de", "on"}).code, 0);
    EXPECT_EQ(value("SELECT vip FROM mailbox"), "1");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_vip_history"), 2);  // history kept
    EXPECT_EQ(ctl({"mailbox", "vip", "info@example.de", "off"}).code, 0);
    EXPECT_EQ(value("SELECT vip FROM mailbox"), "0");
    EXPECT_EQ(ctl({"mailbox", "vip", "info@example.de", "maybe"}).code, 2);
}

TEST_F(Cli, OutOfOfficeFromStdinOrFileWithWindowAndInterval) {
    add_basic_data();
    auto r =
        ctl({"mailbox", "ooo", "enable", "info@example.de", "--subject", "Urlaub", "--body-file",
             "-", "--start", "2026-12-01", "--end", "2026-12-24T18:00", "--interval", "3"},
            "Ich bin im Urlaub.\nGrüße\n");
    EXPECT_EQ(r.code, 0) << r;
    auto row = db->query("SELECT * FROM mailbox")[0];
    EXPECT_EQ(row.str("ooo_enabled"), "1");
    EXPECT_EQ(row.str("ooo_subject"), "Urlaub");
    EXPECT_EQ(row.str("ooo_body"), "Ich bin im Urlaub.\nGrüße\n");
    EXPECT_EQ(row.str("ooo_start").substr(0, 19), "2026-12-01 00:00:00");
    EXPECT_EQ(row.str("ooo_end").substr(0, 19), "2026-12-24 18:00:00");
    EXPECT_EQ(row.str("ooo_interval_days"), "3");

    write_file(dir() / "body.txt", "From a file.\n");
    EXPECT_EQ(ctl({"mailbox", "ooo", "enable", "info@example.de", "--subject", "Away",
                   "--body-file", (dir() / "body.txt").string()})
                  .code,
              0);
    row = db->query("SELECT * FROM mailbox")[0];
    EXPECT_EQ(row.str("ooo_body"), "From a file.\n");
    EXPECT_TRUE(row.is_null("ooo_start"));         // enable replaces the whole note
    EXPECT_EQ(row.str("ooo_interval_days"), "3");  // kept when not given

    // Refused by the database's rules, naming rule and value; nothing changed.
    auto interval = ctl({"mailbox", "ooo", "enable", "info@example.de", "--subject", "X", "--body",
                         "y", "--interval", "400"});
    EXPECT_EQ(interval.code, 1) << interval;
    EXPECT_THAT(interval.err, HasSubstr("mailbox_ooo_interval_days_1_to_365"));
    EXPECT_THAT(interval.err, HasSubstr("400"));
    auto order = ctl({"mailbox", "ooo", "enable", "info@example.de", "--subject", "X", "--body",
                      "y", "--start", "2027-01-02", "--end", "2027-01-01"});
    EXPECT_EQ(order.code, 1) << order;
    EXPECT_THAT(order.err, HasSubstr("mailbox_ooo_end_after_ooo_start"));
    EXPECT_EQ(value("SELECT ooo_subject FROM mailbox"), "Away");
    auto bad_utf8 =
        ctl({"mailbox", "ooo", "enable", "info@example.de", "--subject", "X", "--body-file", "-"},
            "caf\xE9\n");
    EXPECT_EQ(bad_utf8.code, 1) << bad_utf8;
    EXPECT_THAT(bad_utf8.err, HasSubstr("not valid UTF-8"));
    EXPECT_EQ(ctl({"mailbox", "ooo", "enable", "info@example.de", "--subject", "X"}).code, 2);
    EXPECT_EQ(ctl({"mailbox", "ooo", "enable", "info@example.de", "--subject", "X", "--body", "y",
                   "--start", "tomorrow"})
                  .code,
              2);

    EXPECT_EQ(ctl({"mailbox", "ooo", "disable", "info@example.de"}).code, 0);
    EXPECT_EQ(value("SELECT ooo_enabled FROM mailbox"), "0");
}

TEST_F(Cli, AssignmentsAreHistoryAndUnassigningWhatIsNotAssignedIsRefused) {
    add_basic_data();
    EXPECT_EQ(ctl({"assignments", "add", "info@example.de", "anna"}).code, 0);
    auto twice = ctl({"assignments", "add", "info@example.de", "anna"});
    EXPECT_EQ(twice.code, 1) << twice;
    EXPECT_THAT(twice.err, HasSubstr("user 'anna' is already assigned to 'info@example.de'"));
    auto removed = ctl({"assignments", "remove", "info@example.de", "anna"});
    EXPECT_EQ(removed.code, 0) << removed;
    // Dovecot is not on this (test) host: a warning, not a failure.
    EXPECT_THAT(removed.err, HasSubstr("warning: Dovecot is not running on this host"));
    auto again = ctl({"assignments", "remove", "info@example.de", "anna"});
    EXPECT_EQ(again.code, 1);
    EXPECT_THAT(again.err, HasSubstr("user 'anna' is not assigned to 'info@example.de'"));
    EXPECT_EQ(ctl({"assignments", "add", "info@example.de", "anna"}).code, 0);
    auto unknown = ctl({"assignments", "add", "info@example.de", "zoe"});
    EXPECT_EQ(unknown.code, 1);
    EXPECT_THAT(unknown.err, HasSubstr("user 'zoe' does not exist"));

    auto list = ctl({"--json", "assignments", "list", "info@example.de"});
    EXPECT_TRUE(valid_json(list.out)) << list.out;
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox_assignment"), 2);
    auto text = ctl({"assignments", "list", "--user", "anna"});
    EXPECT_THAT(text.out, HasSubstr("current"));
    // Two periods, the first closed, the second open.
    const std::string& o = text.out;
    EXPECT_EQ(std::count(o.begin(), o.end(), '\n'), 3) << o;
    auto current = ctl({"--json", "assignments", "list", "--current"});
    EXPECT_THAT(current.out, HasSubstr("\"unassigned_at\": null"));
    EXPECT_THAT(current.out, Not(HasSubstr("\"current\": false")));
}

TEST_F(Cli, UsersAddListDisplayNameActivityAccessAndPassword) {
    auto add = ctl({"user", "add", "Bob", "--display-name", "Bob Becker", "--activity-access"});
    EXPECT_EQ(add.code, 0) << add;
    EXPECT_EQ(add.out, "added user bob\n");
    auto bad = ctl({"user", "add", "bob@example.de"});
    EXPECT_EQ(bad.code, 1);
    EXPECT_THAT(bad.err, HasSubstr("no @"));
    EXPECT_EQ(ctl({"user", "set-display-name", "bob", "Robert Becker"}).code, 0);
    EXPECT_EQ(value("SELECT display_name FROM user_account"), "Robert Becker");
    EXPECT_EQ(ctl({"user", "activity-access", "bob", "off"}).code, 0);
    EXPECT_EQ(value("SELECT activity_access FROM user_account"), "0");
    auto weak = ctl({"user", "password", "bob"}, "short\n");
    EXPECT_EQ(weak.code, 1) << weak;
    EXPECT_THAT(weak.err, HasSubstr("strength rule"));
    EXPECT_FALSE(value("SELECT password_hash FROM user_account").has_value());
    auto ok = ctl({"user", "password", "bob"}, "Correct-Horse-42\n");
    EXPECT_EQ(ok.code, 0) << ok;
    EXPECT_THAT(value("SELECT password_hash FROM user_account").value_or(""),
                HasSubstr("{ARGON2ID}"));
    auto list = ctl({"--json", "user", "list"});
    EXPECT_TRUE(valid_json(list.out));
    EXPECT_THAT(list.out, HasSubstr("\"password_set\": true"));
}

TEST_F(Cli, SettingsGetSetGoThroughTheDatabasesRules) {
    auto get = ctl({"settings", "get"});
    EXPECT_THAT(get.out, HasSubstr("vip_unprotected_cc_bcc"));
    EXPECT_EQ(ctl({"settings", "set", "vip_unprotected_cc_bcc", "on"}).code, 0);
    EXPECT_EQ(value("SELECT value FROM setting WHERE name = 'vip_unprotected_cc_bcc'"), "1");
    EXPECT_EQ(ctl({"settings", "set", "delivery_grace_seconds", "600"}).code, 0);
    EXPECT_EQ(value("SELECT value FROM setting WHERE name = 'delivery_grace_seconds'"), "600");
    auto range = ctl({"settings", "set", "delivery_grace_seconds", "1801"});
    EXPECT_EQ(range.code, 1) << range;
    EXPECT_THAT(range.err, HasSubstr("setting delivery_grace_seconds refused value '1801'"));
    auto unknown = ctl({"settings", "set", "colour", "blue"});
    EXPECT_EQ(unknown.code, 1);
    EXPECT_THAT(unknown.err, HasSubstr("unknown setting 'colour'"));
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM setting"), 2);
    auto one = ctl({"--json", "settings", "get", "delivery_grace_seconds"});
    EXPECT_THAT(one.out, HasSubstr("\"value\": \"600\""));
}

TEST_F(Cli, ActivityListShowsExactlyWhatVisibleActivityGivesTheViewer) {
    add_basic_data();
    db->execute("INSERT INTO user_account (login, activity_access) VALUES ('bob', 1)");
    db->execute("UPDATE mailbox SET vip = 1");
    db->execute("CALL assign_user('info@example.de', 'anna')");
    db->execute(
        "CALL record_activity('e1', 'info@example.de', 'received', UTC_TIMESTAMP(6), '<m1@x>', "
        "'a@b.de', 'info@example.de', 'VIP secret', 1)");
    db->execute(
        "CALL record_agent_action('g1', 'info@example.de', 'anna', 'read', UTC_TIMESTAMP(6), "
        "'<m1@x>')");
    auto anna = ctl({"--json", "activity", "list", "anna"});
    EXPECT_EQ(anna.code, 0) << anna;
    EXPECT_THAT(anna.out, HasSubstr("VIP secret"));
    auto bob = ctl({"--json", "activity", "list", "bob"});  // has access, but not assigned
    EXPECT_EQ(bob.out, "[]\n");
    EXPECT_THAT(ctl({"activity", "agent-log", "anna"}).out, HasSubstr("read"));
    EXPECT_EQ(ctl({"activity", "agent-log", "bob"}).out, "(none)\n");
    auto unknown = ctl({"activity", "list", "zoe"});
    EXPECT_EQ(unknown.code, 1);
    EXPECT_THAT(unknown.err, HasSubstr("user 'zoe' does not exist"));
}

TEST_F(Cli, MailboxDeleteIsRefusedOnceThereIsHistory) {
    add_basic_data();
    db->execute("CALL assign_user('info@example.de', 'anna')");
    auto r = ctl({"mailbox", "delete", "info@example.de"});
    EXPECT_EQ(r.code, 1) << r;
    EXPECT_THAT(r.err, HasSubstr("cannot be deleted: it has 1 assignment history rows"));
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox"), 1);
}

TEST_F(Cli, TerminalEscapesStoredBySqlAreNotSentToTheTerminal) {
    add_basic_data();
    // The schema refuses control characters in names; the out-of-office body
    // (free text) can still hold one.
    db->execute("UPDATE mailbox SET ooo_body = CONCAT('Evil', CHAR(27), '[2J')");
    auto text = ctl({"mailbox", "show", "info@example.de"});
    EXPECT_THAT(text.out, HasSubstr("Evil\\x1b[2J"));
    EXPECT_EQ(text.out.find('\x1b'), std::string::npos);
    auto json = ctl({"--json", "mailbox", "show", "info@example.de"});
    EXPECT_THAT(json.out, HasSubstr("Evil\\u001b[2J"));
}

}  // namespace
}  // namespace boxwarden::testing
