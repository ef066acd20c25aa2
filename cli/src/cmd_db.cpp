// db migrate / db status: the schema version, through core's migrations.
#include <map>

#include "boxwarden/migrations.h"
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

std::filesystem::path sql_dir(Context& ctx) {
    const std::string configured = ctx.config().get_string("sql_dir");
    return configured.empty() ? default_sql_dir() : std::filesystem::path(configured);
}

int db_migrate(Context& ctx, const ParsedArgs&) {
    const auto dir = sql_dir(ctx);
    std::vector<std::string> log;
    // apply_migrations takes the migration lock and records each file; each
    // migration is applied whole (DDL commits implicitly in MySQL).
    auto applied = apply_migrations(ctx.db(), dir, [&](const std::string& line) {
        if (!ctx.json()) ctx.err() << line << "\n";
        log.push_back(line);
    });
    auto all = applied_migrations(ctx.db());
    Json out = Json::object();
    Json list = Json::array();
    for (const auto& m : applied) list.push(m.name);
    out.set("applied", std::move(list));
    out.set("schema_version", all.empty() ? Json(nullptr) : Json(all.back().version));
    std::string msg = applied.empty()
                          ? "database is up to date"
                          : "applied " + std::to_string(applied.size()) + " migration(s)";
    ctx.done(out, msg + " (schema version " +
                      (all.empty() ? std::string("none") : std::to_string(all.back().version)) +
                      ")");
    return kExitOk;
}

int db_status(Context& ctx, const ParsedArgs&) {
    auto applied = applied_migrations(ctx.db());
    std::map<int, AppliedMigration> by_version;
    for (const auto& a : applied) by_version[a.version] = a;
    Json rows = Json::array();
    std::string problem;
    int pending = 0;
    try {
        for (const auto& m : list_migrations(sql_dir(ctx))) {
            auto it = by_version.find(m.version);
            Json r = Json::object();
            r.set("version", m.version).set("name", m.name);
            if (it == by_version.end()) {
                r.set("state", "pending").set("applied_at", nullptr);
                ++pending;
            } else {
                r.set("state", it->second.sha256 == m.sha256 ? "applied" : "changed since applied");
                r.set("applied_at", iso_time(it->second.applied_at));
                by_version.erase(it);
            }
            rows.push(std::move(r));
        }
    } catch (const std::runtime_error& e) {
        problem = e.what();  // no migrations folder here: report what the database has
    }
    for (const auto& [v, a] : by_version) {
        Json r = Json::object();
        r.set("version", v)
            .set("name", a.name)
            .set("state", problem.empty() ? "unknown file" : "applied");
        r.set("applied_at", iso_time(a.applied_at));
        rows.push(std::move(r));
    }
    Json out = Json::object();
    out.set("schema_version", applied.empty() ? Json(nullptr) : Json(applied.back().version));
    out.set("pending", problem.empty() ? Json(pending) : Json(nullptr));
    if (!problem.empty()) out.set("note", problem);
    out.set("migrations", std::move(rows));
    ctx.print(out);
    return kExitOk;
}

}  // namespace

void add_db_commands(std::vector<CommandSpec>& out) {
    out.push_back({"db migrate",
                   {},
                   {},
                   "apply the pending SQL migrations (sql_dir/migrations) in order",
                   "Takes the migration lock (a row in schema_migration_lock, which holds across "
                   "Galera nodes) so two hosts cannot migrate at once, waiting up to 60 s for "
                   "another run, and refuses to continue when an applied file was changed since.",
                   db_migrate});
    out.push_back(
        {"db status", {}, {}, "show the schema version and each migration's state", "", db_status});
}

}  // namespace boxwarden::cli
