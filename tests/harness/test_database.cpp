#include "test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

#include "boxwarden/migrations.h"

namespace boxwarden::testing {

std::string test_mysql_socket() {
    if (const char* s = std::getenv("BOXWARDEN_TEST_MYSQL_SOCKET"); s && *s) return s;
    return std::string(BOXWARDEN_TEST_MARIADB_DIR) + "/mysqld.sock";
}

db::ConnectionParams test_params(const std::string& database) {
    db::ConnectionParams p;
    p.socket = test_mysql_socket();
    p.user = "root";
    p.database = database;
    p.read_timeout = std::chrono::seconds(30);
    p.write_timeout = std::chrono::seconds(30);
    return p;
}

ScratchDatabase::ScratchDatabase() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    name_ = "bwt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(rd() % 100000);
    db::Connection admin(test_params(""));
    admin.execute_script_statement("CREATE DATABASE `" + name_ +
                                   "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    db::Connection conn(test_params(name_));
    apply_migrations(conn, std::string(BOXWARDEN_SOURCE_DIR) + "/sql");
}

ScratchDatabase::~ScratchDatabase() {
    try {
        db::Connection admin(test_params(""));
        admin.execute_script_statement("DROP DATABASE IF EXISTS `" + name_ + "`");
    } catch (...) {
        // The server may already be gone; the fixture's datadir is removed anyway.
    }
}

std::unique_ptr<db::Connection> ScratchDatabase::connect() const {
    return std::make_unique<db::Connection>(params());
}

void SqlTest::SetUp() {
    scratch = std::make_unique<ScratchDatabase>();
    db = scratch->connect();
}

void SqlTest::TearDown() {
    db.reset();
    scratch.reset();
}

std::string SqlTest::expect_rule(const std::string& sql, const std::vector<db::Param>& params,
                                 const std::string& needle) {
    try {
        db->execute(sql, params);
    } catch (const db::RuleViolation& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
            << "message was: " << e.what();
        return e.what();
    }
    ADD_FAILURE() << "expected a rule violation containing '" << needle << "' from: " << sql;
    return {};
}

std::int64_t SqlTest::count(const std::string& sql, const std::vector<db::Param>& params) {
    auto rows = db->query(sql, params);
    if (rows.empty()) return 0;
    return rows[0].i64("n");
}

}  // namespace boxwarden::testing
