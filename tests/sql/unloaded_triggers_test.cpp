// A cached table whose triggers did not load (boxwarden/trigger_tables.h):
// the server refuses every write to it until the cached instance is dropped.
// The test makes one on the private MariaDB on purpose: it breaks a trigger
// definition in the table's .TRG file, lets the server open the table, and
// puts the intact file back. The server keeps refusing (it does not reread
// the file), and boxwarden's connection must recover by itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "boxwarden/retry.h"
#include "boxwarden/trigger_tables.h"
#include "test_database.h"

namespace boxwarden::testing {
namespace {

class UnloadedTriggers : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        datadir_ = db->query("SELECT @@datadir AS d")[0].str("d") + "/" + scratch->name() + "/";
    }
    void TearDown() override {
        for (const auto& [path, text] : intact_) write_file(path, text);
        for (const auto& user : users_)
            db->execute_script_statement("DROP USER IF EXISTS '" + user + "'@'localhost'");
        SqlTest::TearDown();
    }

    static void write_file(const std::string& path, const std::string& text) {
        std::ofstream out(path, std::ios::trunc);
        out << text;
    }

    // Leaves the server with a cached instance of `table` whose triggers did
    // not load, and the intact .TRG file on disk.
    void break_cached_table(const std::string& table) {
        const std::string path = datadir_ + table + ".TRG";
        std::ifstream in(path);
        ASSERT_TRUE(in) << path;
        std::ostringstream s;
        s << in.rdbuf();
        const std::string intact = s.str();
        intact_[path] = intact;
        std::string broken = intact;
        const auto at = broken.find("FOR EACH ROW");
        ASSERT_NE(at, std::string::npos);
        broken.replace(at, 12, "FOR EACH ROW = =");
        write_file(path, broken);
        db->execute_script_statement("FLUSH LOCAL TABLES `" + table + "`");
        expect_refused_by_the_cached_table(table);
        write_file(path, intact);
        expect_refused_by_the_cached_table(table);  // the server does not reread the file
    }

    void expect_refused_by_the_cached_table(const std::string& table) {
        try {
            // Unprepared and outside boxwarden's statement helpers, which
            // recover; the server refuses while opening the table.
            db->execute_script_statement("INSERT INTO `" + table + "` () VALUES ()");
            FAIL() << "the cached table accepted the insert";
        } catch (const db::Error& e) {
            EXPECT_TRUE(db::is_unloaded_triggers_error(e.code(), e.what())) << e.what();
        }
    }

    // A database user with exactly these grants (on this database).
    db::ConnectionParams user_with(const std::string& suffix,
                                   const std::vector<std::string>& grants) {
        const std::string user = scratch->name() + "_" + suffix;
        users_.push_back(user);
        db->execute_script_statement("CREATE USER '" + user + "'@'localhost' IDENTIFIED BY 'pw'");
        for (std::string g : grants) {  // "{db}" stands for this database
            g.replace(g.find("{db}"), 4, "`" + scratch->name() + "`");
            db->execute_script_statement("GRANT " + g + " TO '" + user + "'@'localhost'");
        }
        db::ConnectionParams p = scratch->params();
        p.user = user;
        p.password = "pw";
        return p;
    }
    void break_cached_mailbox_table() { break_cached_table("mailbox"); }

    std::string datadir_;
    std::map<std::string, std::string> intact_;
    std::vector<std::string> users_;
};

TEST_F(UnloadedTriggers, AStatementOutsideATransactionReloadsTheTableAndRunsOnce) {
    break_cached_mailbox_table();
    EXPECT_EQ(db->execute("INSERT INTO mailbox (address, email_name) VALUES (?, '')",
                          {std::string("anna@example.de")}),
              1u);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox WHERE address = 'anna@example.de'"), 1);
    // The triggers run again: a rule they enforce refuses a bad row.
    EXPECT_THROW(db->execute("INSERT INTO mailbox (address, email_name) VALUES (?, '')",
                             {std::string("bert@unknown.example")}),
                 db::RuleViolation);
}

TEST_F(UnloadedTriggers, ATransactionIsRunAgainAfterTheReload) {
    break_cached_mailbox_table();
    int runs = 0;
    db::run_transaction(*db, [&](db::Connection& c) {
        ++runs;
        c.execute("INSERT INTO mailbox (address, email_name) VALUES (?, '')",
                  {std::string("carl@example.de")});
    });
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM mailbox WHERE address = 'carl@example.de'"), 1);
}

TEST_F(UnloadedTriggers, AUserWhoMayNotReloadTheTableGetsTheOperatorsRemedy) {
    db->execute("INSERT INTO mailbox (address, email_name) VALUES ('dora@example.de', '')");
    const auto p = user_with("upd", {"SELECT, UPDATE ON {db}.mailbox"});
    break_cached_mailbox_table();
    db::Connection c(p);
    try {
        c.execute("UPDATE mailbox SET email_name = 'Dora' WHERE address = 'dora@example.de'");
        ADD_FAILURE() << "an update without the right to reload the table succeeded";
    } catch (const db::Error& e) {
        EXPECT_TRUE(db::is_unloaded_triggers_error(e.code(), e.what())) << e.what();
        EXPECT_NE(std::string(e.what()).find("FLUSH LOCAL TABLES"), std::string::npos) << e.what();
    }
}

// policyd's user writes activity only through record_activity and may not
// REPAIR the table itself; reload_cached_table (migration 0009) does it
// with its definer's rights.
TEST_F(UnloadedTriggers, AProcedureOnlyUserReloadsThroughReloadCachedTable) {
    db->execute("CALL create_mailbox_with('ceo@example.de', NULL, 0, 1)");
    const auto p = user_with("pol", {"EXECUTE ON PROCEDURE {db}.record_activity",
                                     "EXECUTE ON PROCEDURE {db}.reload_cached_table"});
    break_cached_table("activity");
    db::Connection c(p);
    c.execute(
        "CALL record_activity('e1', 'ceo@example.de', 'sent', UTC_TIMESTAMP(6), '<m1@x>', "
        "'ceo@example.de', 'c@remote.test', 'Hi', 1)");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM activity WHERE event_id = 'e1'"), 1);
}

TEST_F(UnloadedTriggers, ReloadCachedTableAcceptsOnlyATableWithTriggers) {
    const auto p = user_with("rel", {"EXECUTE ON PROCEDURE {db}.reload_cached_table"});
    db::Connection c(p);
    EXPECT_FALSE(c.query("CALL reload_cached_table('mailbox')").empty());
    for (const char* name : {"schema_migration", "mailbox` ; DROP TABLE domain; --", "nope"}) {
        try {
            c.query("CALL reload_cached_table(?)", {std::string(name)});
            ADD_FAILURE() << name << " was accepted";
        } catch (const db::RuleViolation& e) {
            EXPECT_NE(std::string(e.what()).find("is not a boxwarden table with triggers"),
                      std::string::npos)
                << e.what();
        }
    }
    try {
        c.query("CALL reload_cached_table(NULL)");
        ADD_FAILURE() << "NULL was accepted";
    } catch (const db::RuleViolation& e) {
        EXPECT_NE(std::string(e.what()).find("`NULL`"), std::string::npos) << e.what();
    }
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM domain"), 1);
}

// The list in trigger_tables.cpp is the schema's, and every trigger's name
// leads back to its table.
class TriggerTables : public SqlTest {};

TEST_F(TriggerTables, TheListIsTheSchemasAndEveryTriggerNameLeadsToItsTable) {
    std::vector<std::string_view> listed = db::tables_with_triggers();
    std::vector<std::string> in_schema;
    for (const auto& row :
         db->query("SELECT DISTINCT EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS WHERE "
                   "TRIGGER_SCHEMA = DATABASE() ORDER BY t"))
        in_schema.push_back(row.str("t"));
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(std::vector<std::string>(listed.begin(), listed.end()), in_schema);
    for (const auto& row :
         db->query("SELECT TRIGGER_NAME AS n, EVENT_OBJECT_TABLE AS t FROM "
                   "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")) {
        const auto tables = db::tables_for_unloaded_triggers("Trigger '" + row.str("n") +
                                                             "' has an error in its body: 'x'");
        ASSERT_EQ(tables.size(), 1u) << row.str("n");
        EXPECT_EQ(std::string(tables[0]), row.str("t")) << row.str("n");
    }
}

}  // namespace
}  // namespace boxwarden::testing
