#pragma once
// Test support: a fresh boxwarden database (migrations applied) on the
// private MariaDB that the ctest fixture "mariadb" started.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "boxwarden/db.h"

namespace boxwarden::testing {

// Socket of the private MariaDB (BOXWARDEN_TEST_MYSQL_SOCKET overrides).
std::string test_mysql_socket();

// Connection parameters as root on the private server, for database `name`.
db::ConnectionParams test_params(const std::string& database);

// Creates a uniquely named database with every migration applied, and drops
// it again on destruction.
class ScratchDatabase {
  public:
    ScratchDatabase();
    ~ScratchDatabase();
    const std::string& name() const { return name_; }
    db::ConnectionParams params() const { return test_params(name_); }
    // A second, independent connection (e.g. to play a second admin).
    std::unique_ptr<db::Connection> connect() const;

  private:
    std::string name_;
};

// GoogleTest fixture: each test gets its own database and connection `db`.
class SqlTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    // Runs statements and expects the last one to be refused by a rule whose
    // message contains `needle`; returns the message.
    std::string expect_rule(const std::string& sql, const std::vector<db::Param>& params,
                            const std::string& needle);
    std::int64_t count(const std::string& sql, const std::vector<db::Param>& params = {});

    std::unique_ptr<ScratchDatabase> scratch;
    std::unique_ptr<db::Connection> db;
};

}  // namespace boxwarden::testing
