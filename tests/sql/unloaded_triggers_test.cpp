// A cached table whose triggers did not load (boxwarden/trigger_tables.h):
// the server refuses every write to it until the cached instance is dropped.
// The test makes one on the private MariaDB on purpose: it breaks a trigger
// definition in the table's .TRG file, lets the server open the table, and
// puts the intact file back. The server keeps refusing (it does not reread
// the file), and boxwarden's connection must recover by itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
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
        trg_path_ =
            db->query("SELECT @@datadir AS d")[0].str("d") + "/" + scratch->name() + "/mailbox.TRG";
        std::ifstream in(trg_path_);
        ASSERT_TRUE(in) << trg_path_;
        std::ostringstream s;
        s << in.rdbuf();
        intact_ = s.str();
        ASSERT_NE(intact_.find("FOR EACH ROW"), std::string::npos);
    }
    void TearDown() override {
        write_trg(intact_);
        SqlTest::TearDown();
    }

    void write_trg(const std::string& text) {
        std::ofstream out(trg_path_, std::ios::trunc);
        out << text;
    }

    // Leaves the server with a cached mailbox table whose triggers did not
    // load, and the intact file on disk.
    void break_cached_mailbox_table() {
        std::string broken = intact_;
        broken.replace(broken.find("FOR EACH ROW"), 12, "FOR EACH ROW = =");
        write_trg(broken);
        db->execute_script_statement("FLUSH LOCAL TABLES mailbox");
        expect_refused_by_the_cached_table();
        write_trg(intact_);
        expect_refused_by_the_cached_table();  // the server does not reread the file
    }

    void expect_refused_by_the_cached_table() {
        try {
            // Unprepared and outside boxwarden's statement helpers, which recover.
            db->execute_script_statement(
                "INSERT INTO mailbox (address, email_name) VALUES ('probe@example.de', '')");
            FAIL() << "the cached table accepted the insert";
        } catch (const db::Error& e) {
            EXPECT_TRUE(db::is_unloaded_triggers_error(e.code(), e.what())) << e.what();
        }
    }

    std::string trg_path_;
    std::string intact_;
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
    const std::string user = scratch->name() + "_upd";
    db->execute_script_statement("CREATE USER '" + user + "'@'localhost' IDENTIFIED BY 'pw'");
    db->execute_script_statement("GRANT SELECT, UPDATE ON `" + scratch->name() + "`.mailbox TO '" +
                                 user + "'@'localhost'");
    break_cached_mailbox_table();
    db::ConnectionParams p = scratch->params();
    p.user = user;
    p.password = "pw";
    {
        db::Connection c(p);
        try {
            c.execute("UPDATE mailbox SET email_name = 'Dora' WHERE address = 'dora@example.de'");
            ADD_FAILURE() << "an update without the right to reload the table succeeded";
        } catch (const db::Error& e) {
            EXPECT_NE(std::string(e.what()).find("FLUSH LOCAL TABLES"), std::string::npos)
                << e.what();
        }
    }
    db->execute_script_statement("DROP USER '" + user + "'@'localhost'");
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
