// `boxwardenctl db migrate` on Galera: the schema applies under
// wsrep_mode=REQUIRED_PRIMARY_KEY, and two runners started at the same
// moment against two different nodes apply every migration exactly once
// (the migration lock is a row whose INSERT certifies cluster-wide; a
// GET_LOCK() named lock is per node and would let both run).
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>

#include "galera_support.h"
#include "policyd_harness.h"

namespace boxwarden::galera_testing {
namespace {

std::size_t migration_files() {
    std::size_t n = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(std::string(GALERA_SQL_DIR) + "/migrations"))
        if (e.path().extension() == ".sql") ++n;
    return n;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST(GaleraMigrate, TwoRunnersOnTwoNodesAtOnceApplyEveryMigrationOnce) {
    const std::size_t files = migration_files();
    ASSERT_GT(files, 0u);
    for (int round = 1; round <= 3; ++round) {
        GaleraDatabase database;
        const std::string dir = policyd::testing::test_dir("migrate-race-" + database.name());
        const std::string conf1 = write_cli_config(dir, database.name(), host_list({1}));
        const std::string conf2 = write_cli_config(dir, database.name(), host_list({2}));
        auto run = [](const std::string& conf) {
            std::string out;
            const int rc = boxwardenctl(conf, "--json db migrate", &out);
            return std::make_pair(rc, out);
        };
        auto a = std::async(std::launch::async, run, conf1);
        auto b = std::async(std::launch::async, run, conf2);
        const auto [rc1, out1] = a.get();
        const auto [rc2, out2] = b.get();
        EXPECT_EQ(rc1, 0) << out1;
        EXPECT_EQ(rc2, 0) << out2;
        // Each migration was applied by exactly one of the two runners.
        EXPECT_EQ(count_of(out1 + out2, "\"0001_tables\""), 1u) << out1 << "\n" << out2;
        for (int node : {1, 2, 3}) {
            auto c = database.connect(node);
            c->execute_script_statement("SET SESSION wsrep_sync_wait = 1");
            auto rows = c->query(
                "SELECT COUNT(*) AS n, COUNT(DISTINCT version) AS versions FROM schema_migration");
            ASSERT_EQ(rows.size(), 1u);
            EXPECT_EQ(rows[0].i64("n"), static_cast<std::int64_t>(files)) << "node " << node;
            EXPECT_EQ(rows[0].i64("versions"), static_cast<std::int64_t>(files));
            // The lock was released.
            EXPECT_EQ(c->query("SELECT COUNT(*) AS n FROM schema_migration_lock")[0].i64("n"), 0);
        }
        // A third run is a no-op.
        std::string out;
        EXPECT_EQ(boxwardenctl(conf2, "db migrate", &out), 0) << out;
        EXPECT_NE(out.find("up to date"), std::string::npos) << out;
    }
}

TEST(GaleraMigrate, SchemaHasAPrimaryKeyOnEveryTable) {
    GaleraDatabase database;
    database.migrate();
    auto c = database.connect(1);
    auto rows = c->query(
        "SELECT t.table_name AS name FROM information_schema.tables t "
        "WHERE t.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' AND NOT EXISTS ("
        " SELECT 1 FROM information_schema.table_constraints k WHERE k.table_schema = "
        "t.table_schema AND k.table_name = t.table_name AND k.constraint_type = 'PRIMARY KEY')");
    for (const auto& r : rows) ADD_FAILURE() << "table without a primary key: " << r.str("name");
    auto engines = c->query(
        "SELECT table_name AS name, engine FROM information_schema.tables WHERE table_schema = "
        "DATABASE() AND table_type = 'BASE TABLE' AND engine <> 'InnoDB'");
    for (const auto& r : engines) ADD_FAILURE() << "not InnoDB (not replicated): " << r.str("name");
}

}  // namespace
}  // namespace boxwarden::galera_testing
