#pragma once
// Ordered SQL migrations: sql/migrations/NNNN_name.sql, applied in version
// order, each recorded in schema_migration with the SHA-256 of its file.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace boxwarden::db {
class Connection;
}

namespace boxwarden {

struct Migration {
    int version = 0;
    std::string name;  // file name without .sql
    std::filesystem::path path;
    std::string sha256;  // of the file's bytes, hex
};

struct AppliedMigration {
    int version = 0;
    std::string name;
    std::string sha256;
    std::string applied_at;
};

// The folder holding migrations/: the sql_dir setting, else $BOXWARDEN_SQL_DIR,
// else the installed default.
std::filesystem::path default_sql_dir();

// Lists dir/migrations/*.sql; throws std::runtime_error on a malformed name or
// a repeated version number.
std::vector<Migration> list_migrations(const std::filesystem::path& sql_dir);

// What the database has applied (empty when schema_migration does not exist).
std::vector<AppliedMigration> applied_migrations(db::Connection& conn);

// How long a migration lock row holds before another run may take it over.
inline constexpr int kMigrationLockLeaseSeconds = 900;

// Applies the pending migrations in order under the migration lock (one row
// in schema_migration_lock, so two hosts cannot migrate at once, also on
// different Galera nodes). Returns what was applied. Refuses to run when an
// applied migration's file changed since (checksum mismatch).
std::vector<Migration> apply_migrations(db::Connection& conn, const std::filesystem::path& sql_dir,
                                        const std::function<void(const std::string&)>& log = {});

}  // namespace boxwarden
