#include "boxwarden/migrations.h"

#include <openssl/evp.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "boxwarden/db.h"
#include "boxwarden/retry.h"
#include "boxwarden/sql_script.h"

#ifndef BOXWARDEN_DEFAULT_SQL_DIR
#define BOXWARDEN_DEFAULT_SQL_DIR "/usr/share/boxwarden/sql"
#endif

namespace boxwarden {

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string sha256_hex(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migration ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " sha256 CHAR(64) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL"
    ") ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci";

// The migration lock: one row in a table with a primary key. Its INSERT
// certifies cluster-wide on Galera (GET_LOCK() is per node there), and on a
// single server the primary key makes the second INSERT a duplicate. The row
// carries a lease so that a run that died does not block the next one for
// ever (docs/schema.md "schema_migration_lock").
constexpr const char* kCreateLockTable =
    "CREATE TABLE IF NOT EXISTS schema_migration_lock ("
    " id TINYINT UNSIGNED NOT NULL PRIMARY KEY,"
    " holder VARCHAR(200) NOT NULL,"
    " acquired_at DATETIME(6) NOT NULL,"
    " expires_at DATETIME(6) NOT NULL"
    ") ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci";

std::string lock_holder_name() {
    char host[256] = "?";
    ::gethostname(host, sizeof host - 1);
    std::random_device rd;
    return std::string(host) + " pid " + std::to_string(::getpid()) + " #" +
           std::to_string(rd() % 1000000);
}

// Takes the lock or throws TemporaryFailure after `wait`.
void acquire_migration_lock(db::Connection& conn, const std::string& holder,
                            std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::minstd_rand jitter{std::random_device{}()};
    for (;;) {
        try {
            db::run_transaction(conn, [&](db::Connection& c) {
                c.execute(
                    "INSERT INTO schema_migration_lock (id, holder, acquired_at, expires_at) "
                    "VALUES (1, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ? SECOND)",
                    {holder, std::int64_t{kMigrationLockLeaseSeconds}});
            });
            return;
        } catch (const db::RuleViolation& e) {
            if (e.code() != 1062) throw;  // only "somebody holds it" is waited for
        }
        // Held: take it over when its lease ran out, else wait and try again.
        const std::uint64_t expired = db::run_transaction(conn, [](db::Connection& c) {
            return c.execute(
                "DELETE FROM schema_migration_lock WHERE id = 1 AND expires_at < UTC_TIMESTAMP(6)");
        });
        if (expired > 0) continue;
        if (std::chrono::steady_clock::now() >= deadline) {
            auto rows =
                conn.query("SELECT holder, acquired_at FROM schema_migration_lock WHERE id = 1");
            throw db::TemporaryFailure(
                "another migration holds the lock (schema_migration_lock" +
                    (rows.empty() ? std::string(")")
                                  : ": " + rows[0].str("holder") + " since " +
                                        rows[0].str("acquired_at") + " UTC)") +
                    "; if that run died, its lease ends " +
                    std::to_string(kMigrationLockLeaseSeconds / 60) +
                    " minutes after it started (or DELETE FROM schema_migration_lock)",
                0, "HY000");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100 + jitter() % 200));
    }
}

// Releases the lock however apply_migrations leaves.
struct MigrationLock {
    db::Connection& conn;
    std::string holder;
    ~MigrationLock() {
        try {
            db::run_transaction(conn, [&](db::Connection& c) {
                c.execute("DELETE FROM schema_migration_lock WHERE id = 1 AND holder = ?",
                          {holder});
            });
        } catch (...) {
            // The lease ends it.
        }
    }
};

}  // namespace

std::filesystem::path default_sql_dir() {
    if (const char* env = std::getenv("BOXWARDEN_SQL_DIR"); env && *env) return env;
    return BOXWARDEN_DEFAULT_SQL_DIR;
}

std::vector<Migration> list_migrations(const std::filesystem::path& sql_dir) {
    const auto dir = sql_dir / "migrations";
    if (!std::filesystem::is_directory(dir))
        throw std::runtime_error("no migrations folder at " + dir.string());
    static const std::regex name_re(R"(^([0-9]{4})_([a-z0-9_]+)\.sql$)");
    std::vector<Migration> out;
    std::map<int, std::string> seen;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string file = entry.path().filename().string();
        if (entry.path().extension() != ".sql") continue;
        std::smatch m;
        if (!std::regex_match(file, m, name_re))
            throw std::runtime_error("migration file " + file + " is not named NNNN_name.sql");
        const int version = std::stoi(m[1].str());
        if (auto it = seen.find(version); it != seen.end())
            throw std::runtime_error("migrations " + it->second + " and " + file +
                                     " share version " + m[1].str());
        seen.emplace(version, file);
        out.push_back({version, entry.path().stem().string(), entry.path(),
                       sha256_hex(read_file(entry.path()))});
    }
    std::sort(out.begin(), out.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return out;
}

std::vector<AppliedMigration> applied_migrations(db::Connection& conn) {
    const auto exists = conn.query(
        "SELECT COUNT(*) AS n FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name = 'schema_migration'");
    if (exists.empty() || exists[0].i64("n") == 0) return {};
    std::vector<AppliedMigration> out;
    for (const auto& r : conn.query("SELECT version, name, sha256, applied_at FROM "
                                    "schema_migration ORDER BY version"))
        out.push_back({static_cast<int>(r.i64("version")), r.str("name"), r.str("sha256"),
                       r.str("applied_at")});
    return out;
}

std::vector<Migration> apply_migrations(db::Connection& conn, const std::filesystem::path& sql_dir,
                                        const std::function<void(const std::string&)>& log) {
    const auto available = list_migrations(sql_dir);
    conn.execute_script_statement(kCreateLockTable);
    const std::string holder = lock_holder_name();
    acquire_migration_lock(conn, holder, std::chrono::seconds(60));
    MigrationLock lock{conn, holder};
    conn.execute_script_statement(kCreateTable);

    std::map<int, AppliedMigration> applied;
    for (auto& a : applied_migrations(conn)) applied.emplace(a.version, a);
    for (const auto& m : available) {
        auto it = applied.find(m.version);
        if (it != applied.end() && it->second.sha256 != m.sha256)
            throw std::runtime_error("migration " + m.name +
                                     " was changed after it was applied (checksum differs); "
                                     "add a new migration instead of editing an applied one");
    }

    std::vector<Migration> done;
    for (const auto& m : available) {
        if (applied.count(m.version)) continue;
        if (log) log("applying " + m.name);
        const auto statements = split_sql_script(read_file(m.path));
        for (const auto& st : statements) {
            try {
                conn.execute_script_statement(st.text);
            } catch (const db::Error& e) {
                throw std::runtime_error(m.path.filename().string() + ":" +
                                         std::to_string(st.line) + ": " + e.what());
            }
        }
        conn.execute(
            "INSERT INTO schema_migration (version, name, sha256, applied_at) "
            "VALUES (?, ?, ?, UTC_TIMESTAMP(6))",
            {std::int64_t{m.version}, m.name, m.sha256});
        done.push_back(m);
    }
    return done;
}

}  // namespace boxwarden
