#include "boxwarden/migrations.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "boxwarden/db.h"
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

// Releases the named lock however apply_migrations leaves.
struct NamedLock {
    db::Connection& conn;
    ~NamedLock() {
        try {
            conn.query("SELECT RELEASE_LOCK('boxwarden_migrate')");
        } catch (...) {
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
    const auto got = conn.query("SELECT GET_LOCK('boxwarden_migrate', 60) AS ok");
    if (got.empty() || got[0].is_null("ok") || got[0].i64("ok") != 1)
        throw db::TemporaryFailure("another migration holds the lock 'boxwarden_migrate'", 0,
                                   "HY000");
    NamedLock lock{conn};
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
