#include "boxwarden/db.h"

#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <charconv>
#include <ctime>
#include <mutex>

#include "boxwarden/config.h"
#include "boxwarden/trigger_tables.h"

namespace boxwarden::db {

namespace {

sql::Driver* driver() {
    // Not thread-safe inside Connector/C++: the first call must happen before
    // threads start (initialize_driver); later calls only read the pointer.
    static sql::Driver* d = sql::mysql::get_mysql_driver_instance();
    return d;
}

bool is_lost_connection(int code) {
    return code == 2006 || code == 2013 || code == 4031;
}

}  // namespace

void initialize_driver() {
    (void)driver();
}

ThreadScope::ThreadScope() {
    driver()->threadInit();
}
ThreadScope::~ThreadScope() {
    driver()->threadEnd();
}

ConnectionParams params_from_config(const Config& config) {
    ConnectionParams p;
    p.socket = config.get_string("db_socket");
    p.host = config.get_string("db_host");
    p.port = static_cast<int>(config.get_int("db_port"));
    try {
        p.hosts = parse_host_list(config.get_string("db_hosts"), p.port);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(config.origin() + ": db_hosts: " + e.what());
    }
    p.database = config.get_string("db_name");
    p.user = config.get_string("db_user");
    p.password = config.get_string("db_password");
    using std::chrono::duration_cast;
    p.connect_timeout =
        duration_cast<std::chrono::seconds>(config.get_duration("db_connect_timeout"));
    p.read_timeout = duration_cast<std::chrono::seconds>(config.get_duration("db_read_timeout"));
    p.write_timeout = duration_cast<std::chrono::seconds>(config.get_duration("db_write_timeout"));
    return p;
}

std::vector<HostPort> parse_host_list(std::string_view text, int default_port) {
    std::vector<HostPort> out;
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    if (trim(text).empty()) return out;
    for (std::size_t start = 0;;) {
        const std::size_t comma = text.find(',', start);
        const std::string_view entry =
            trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
        if (entry.empty()) throw std::invalid_argument("empty entry in the host list");
        HostPort hp;
        hp.port = default_port;
        const std::size_t colon = entry.rfind(':');
        hp.host = std::string(entry.substr(0, colon));
        if (colon != std::string_view::npos) {
            const std::string_view port = entry.substr(colon + 1);
            int value = 0;
            auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
            if (ec != std::errc() || p != port.data() + port.size() || value < 1 || value > 65535)
                throw std::invalid_argument("bad port in host list entry '" + std::string(entry) +
                                            "'");
            hp.port = value;
        }
        if (hp.host.empty() || hp.host.find(' ') != std::string::npos)
            throw std::invalid_argument("bad host in host list entry '" + std::string(entry) + "'");
        out.push_back(std::move(hp));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

ErrorKind classify_error(int code, std::string_view sqlstate) {
    // Connection-level trouble and transient server states: retry later.
    switch (code) {
        case 0:     // client-library error without a server code: cannot decide
        case 1040:  // too many connections
        case 1047:  // WSREP has not yet prepared node for application use
        case 1053:  // server shutdown in progress
        case 1158:
        case 1159:
        case 1160:
        case 1161:  // network read/write errors
        case 1180:  // got error during COMMIT (Galera certification)
        case 1205:  // lock wait timeout
        case 1213:  // deadlock
        case 1290:  // read-only (e.g. a replica or a desynced node)
        case 1927:  // connection was killed
        case 2002:
        case 2003:
        case 2005:
        case 2006:
        case 2013:
        case 2026:
        case 2055:
        case 4031:  // disconnected for inactivity
            return ErrorKind::Temporary;
        default:
            break;
    }
    if (sqlstate.starts_with("08") || sqlstate == "40001") return ErrorKind::Temporary;
    if (code >= 2000 && code < 3000) return ErrorKind::Temporary;  // client library (CR_*)
    if (sqlstate == "45000" || sqlstate.starts_with("23") || sqlstate.starts_with("22"))
        return ErrorKind::Rule;
    switch (code) {
        case 1048:  // column cannot be null
        case 1264:  // out of range
        case 1265:  // data truncated
        case 1292:  // incorrect datetime value
        case 1364:  // field has no default value (a required column was not given)
        case 1366:  // incorrect string value (e.g. invalid UTF-8)
        case 1406:  // data too long
        case 4025:  // CHECK constraint failed
            return ErrorKind::Rule;
        default:
            return ErrorKind::Permanent;
    }
}

// ---- Row -----------------------------------------------------------------

const std::optional<std::string>& Row::at(std::string_view name) const {
    for (size_t i = 0; i < names_->size(); ++i)
        if ((*names_)[i] == name) return values_[i];
    throw std::runtime_error("result has no column '" + std::string(name) + "'");
}

std::string Row::str(std::string_view name) const {
    const auto& v = at(name);
    if (!v) throw std::runtime_error("column '" + std::string(name) + "' is NULL");
    return *v;
}

std::int64_t Row::i64(std::string_view name) const {
    const std::string v = str(name);
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || p != v.data() + v.size())
        throw std::runtime_error("column '" + std::string(name) + "' is not an integer: " + v);
    return out;
}

TimePoint Row::time(std::string_view name) const {
    const std::string v = str(name);
    auto t = parse_sql_datetime(v);
    if (!t) throw std::runtime_error("column '" + std::string(name) + "' is not a DATETIME: " + v);
    return *t;
}

std::optional<TimePoint> Row::opt_time(std::string_view name) const {
    if (is_null(name)) return std::nullopt;
    return time(name);
}

std::optional<TimePoint> parse_sql_datetime(std::string_view s) {
    // YYYY-MM-DD HH:MM:SS[.ffffff]
    if (s.size() < 19) return std::nullopt;
    auto num = [&](size_t pos, size_t len, int& out) {
        auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
        return ec == std::errc() && p == s.data() + pos + len;
    };
    int y, mo, d, h, mi, se;
    if (!num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
        s[10] != ' ' || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' ||
        !num(17, 2, se))
        return std::nullopt;
    long micros = 0;
    if (s.size() > 19) {
        if (s[19] != '.' || s.size() > 26 || s.size() == 20) return std::nullopt;
        std::string frac(s.substr(20));
        frac.resize(6, '0');
        int f = 0;
        auto [p, ec] = std::from_chars(frac.data(), frac.data() + 6, f);
        if (ec != std::errc() || p != frac.data() + 6) return std::nullopt;
        micros = f;
    }
    using namespace std::chrono;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
    return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + microseconds{micros};
}

std::string format_sql_datetime(TimePoint t) {
    using namespace std::chrono;
    const auto us = floor<microseconds>(t);
    const auto day = floor<days>(us);
    const year_month_day ymd{day};
    const hh_mm_ss hms{us - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02ld:%02ld:%02ld.%06ld", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                  long(hms.minutes().count()), long(hms.seconds().count()),
                  long(hms.subseconds().count()));
    return buf;
}

// ---- Connection ------------------------------------------------------------

Connection::Connection(ConnectionParams params) : params_(std::move(params)) {
    reconnect();
}

Connection::~Connection() {
    statements_.clear();
    if (conn_) {
        try {
            conn_->close();
        } catch (...) {
        }
    }
}

namespace {

std::string describe_endpoint(const ConnectionParams& p, const HostPort* hp) {
    if (hp) return hp->host + ":" + std::to_string(hp->port);
    return p.host.empty() ? "unix:" + p.socket : p.host + ":" + std::to_string(p.port);
}

}  // namespace

std::unique_ptr<sql::Connection> Connection::open(const HostPort* hp, bool& galera) {
    sql::ConnectOptionsMap opts;
    if (hp) {
        opts["hostName"] = sql::SQLString(hp->host);
        opts["port"] = hp->port;
    } else if (params_.host.empty()) {
        opts["hostName"] = sql::SQLString("localhost");
        opts["socket"] = sql::SQLString(params_.socket);
    } else {
        opts["hostName"] = sql::SQLString(params_.host);
        opts["port"] = params_.port;
    }
    opts["userName"] = sql::SQLString(params_.user);
    opts["password"] = sql::SQLString(params_.password);
    if (!params_.database.empty()) opts["schema"] = sql::SQLString(params_.database);
    opts["OPT_CONNECT_TIMEOUT"] = static_cast<int>(params_.connect_timeout.count());
    opts["OPT_READ_TIMEOUT"] = static_cast<int>(params_.read_timeout.count());
    opts["OPT_WRITE_TIMEOUT"] = static_cast<int>(params_.write_timeout.count());
    opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    opts["OPT_RECONNECT"] = false;
    const std::string where = describe_endpoint(params_, hp);
    std::unique_ptr<sql::Connection> c;
    std::string not_ready;
    try {
        c.reset(driver()->connect(opts));
        std::unique_ptr<sql::Statement> st(c->createStatement());
        // UTC everywhere; strict mode so bad values are errors, not warnings.
        st->execute(
            "SET time_zone = '+00:00', "
            "sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
            "NAMES utf8mb4 COLLATE utf8mb4_unicode_ci");
        // A Galera node outside the primary component, joining, or donating
        // refuses queries ("WSREP has not yet prepared node") or serves old
        // data: it is not used, the next host is.
        galera = false;
        {
            std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SHOW VARIABLES LIKE 'wsrep_on'"));
            galera = rs->next() && rs->getString(2).asStdString() == "ON";
        }
        if (galera) {
            std::map<std::string, std::string> v;
            std::unique_ptr<sql::ResultSet> rs(st->executeQuery(
                "SHOW STATUS WHERE Variable_name IN "
                "('wsrep_ready', 'wsrep_local_state', 'wsrep_local_state_comment', "
                "'wsrep_cluster_status')"));
            while (rs->next()) v[rs->getString(1).asStdString()] = rs->getString(2).asStdString();
            if (v["wsrep_ready"] != "ON" || v["wsrep_local_state"] != "4" ||
                v["wsrep_cluster_status"] != "Primary")
                not_ready = "Galera node not ready (wsrep_ready " + v["wsrep_ready"] + ", state " +
                            v["wsrep_local_state_comment"] + ", cluster " +
                            v["wsrep_cluster_status"] + ")";
        }
    } catch (const sql::SQLException& e) {
        const std::string msg = "cannot connect to MySQL at " + where + " as '" + params_.user +
                                "': " + e.what() + " (error " + std::to_string(e.getErrorCode()) +
                                ")";
        // Access denied or unknown database is configuration, not an outage,
        // but callers must still not turn it into "not found".
        if (classify_error(e.getErrorCode(), e.getSQLState()) == ErrorKind::Temporary)
            throw TemporaryFailure(msg, e.getErrorCode(), e.getSQLState());
        throw Error(msg, e.getErrorCode(), e.getSQLState());
    }
    if (!not_ready.empty()) {
        try {
            c->close();
        } catch (...) {
        }
        throw TemporaryFailure(where + ": " + not_ready, 1047, "08S01");
    }
    return c;
}

void Connection::reconnect() {
    statements_.clear();
    conn_.reset();
    in_transaction_ = false;
    savepoint_set_ = false;
    broken_ = false;
    if (params_.hosts.empty()) {
        try {
            conn_ = open(nullptr, galera_);
        } catch (...) {
            broken_ = true;
            throw;
        }
        endpoint_index_ = 0;
        endpoint_ = describe_endpoint(params_, nullptr);
        return;
    }
    // Every host in order; the error names why each one was not used.
    std::string reasons;
    bool temporary = false;
    int code = 0;
    std::string state = "HY000";
    for (std::size_t i = 0; i < params_.hosts.size(); ++i) {
        try {
            conn_ = open(&params_.hosts[i], galera_);
            endpoint_index_ = i;
            endpoint_ = describe_endpoint(params_, &params_.hosts[i]);
            return;
        } catch (const TemporaryFailure& e) {
            temporary = true;
            reasons.append(reasons.empty() ? "" : "; ").append(e.what());
            code = e.code();
            state = e.sqlstate();
        } catch (const Error& e) {
            reasons.append(reasons.empty() ? "" : "; ").append(e.what());
            if (!temporary) {
                code = e.code();
                state = e.sqlstate();
            }
        }
    }
    broken_ = true;
    const std::string msg = "no database host usable: " + reasons;
    if (temporary) throw TemporaryFailure(msg, code, state);
    throw Error(msg, code, state);
}

bool Connection::fail_back() {
    if (params_.hosts.size() < 2 || endpoint_index_ == 0 || in_transaction_ || !conn_) return false;
    for (std::size_t i = 0; i < endpoint_index_; ++i) {
        bool galera = false;
        std::unique_ptr<sql::Connection> c;
        try {
            c = open(&params_.hosts[i], galera);
        } catch (const Error&) {
            continue;  // still down or not ready: stay where we are
        }
        statements_.clear();
        try {
            conn_->close();
        } catch (...) {
        }
        conn_ = std::move(c);
        galera_ = galera;
        endpoint_index_ = i;
        endpoint_ = describe_endpoint(params_, &params_.hosts[i]);
        broken_ = false;
        return true;
    }
    return false;
}

void Connection::rethrow(const sql::SQLException& e, std::string_view context) {
    const int code = e.getErrorCode();
    const std::string state = e.getSQLState();
    const ErrorKind kind = classify_error(code, state);
    if (is_lost_connection(code) || code == 2002 || code == 2003 || code == 0) broken_ = true;
    if (kind == ErrorKind::Rule) throw RuleViolation(e.what(), code, state);
    std::string msg = std::string(context) + ": " + e.what() + " (error " + std::to_string(code) +
                      ", SQLSTATE " + state + ")";
    if (is_unloaded_triggers_error(code, e.what()))
        msg +=
            "; this server may hold a cached copy of the table whose triggers did not load: "
            "boxwarden reloads it once, and if the error stays, an administrator runs FLUSH LOCAL "
            "TABLES <table> on this server (docs/scale-out.md)";
    if (kind == ErrorKind::Temporary) throw TemporaryFailure(msg, code, state);
    throw Error(msg, code, state);
}

sql::PreparedStatement& Connection::prepare(std::string_view sql) {
    if (!conn_) reconnect();
    auto it = statements_.find(sql);
    if (it != statements_.end()) return *it->second;
    std::unique_ptr<sql::PreparedStatement> ps(
        conn_->prepareStatement(sql::SQLString(std::string(sql))));
    return *statements_.emplace(std::string(sql), std::move(ps)).first->second;
}

namespace {

void bind(sql::PreparedStatement& ps, const std::vector<Param>& params) {
    ps.clearParameters();
    unsigned idx = 1;
    for (const Param& p : params) {
        std::visit(
            [&](const auto& v) {
                using V = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<V, std::nullptr_t>)
                    ps.setNull(idx, 0);
                else if constexpr (std::is_same_v<V, std::string>)
                    ps.setString(idx, sql::SQLString(v));
                else if constexpr (std::is_same_v<V, std::int64_t>)
                    ps.setInt64(idx, v);
                else if constexpr (std::is_same_v<V, double>)
                    ps.setDouble(idx, v);
                else
                    ps.setBoolean(idx, v);
            },
            p);
        ++idx;
    }
}

void stream_result(sql::ResultSet& rs, const std::function<void(const Row&)>& on_row) {
    sql::ResultSetMetaData* meta = rs.getMetaData();
    const unsigned n = meta->getColumnCount();
    auto names = std::make_shared<std::vector<std::string>>();
    for (unsigned i = 1; i <= n; ++i) names->push_back(meta->getColumnLabel(i).asStdString());
    while (rs.next()) {
        std::vector<std::optional<std::string>> values;
        values.reserve(n);
        for (unsigned i = 1; i <= n; ++i) {
            if (rs.isNull(i))
                values.emplace_back(std::nullopt);
            else
                values.emplace_back(rs.getString(i).asStdString());
        }
        on_row(Row(names, std::move(values)));
    }
}

}  // namespace

template <typename F>
auto Connection::with_retry(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const sql::SQLException& e) {
        // A connection that went idle past wait_timeout fails on first use;
        // outside a transaction the statement can safely be sent again once.
        if (!in_transaction_ && is_lost_connection(e.getErrorCode())) {
            try {
                reconnect();
                return f();
            } catch (const sql::SQLException& e2) {
                rethrow(e2, "after reconnect");
            }
        }
        // A cached table whose triggers did not load: nothing of the
        // statement ran (the server refuses it while opening the table).
        if (!in_transaction_ && !reloading_tables_ &&
            is_unloaded_triggers_error(e.getErrorCode(), e.what())) {
            reload_trigger_tables(e.what());
            try {
                return f();
            } catch (const sql::SQLException& e2) {
                rethrow(e2, "after reloading the table's triggers");
            }
        }
        rethrow(e, "statement failed");
    }
}

namespace {

// True when a REPAIR result set says the table was processed (InnoDB
// answers with a note, "doesn't support repair"; a lock wait that timed out
// is an error row).
bool repair_ran(const std::vector<Row>& rows) {
    bool ok = false;
    for (const Row& row : rows) {
        const auto type = row.opt_str("Msg_type").value_or("");
        if (type == "error" || type == "Error") return false;
        if (type == "status" || type == "note") ok = true;
    }
    return ok;
}

}  // namespace

std::vector<std::string> Connection::reload_trigger_tables(std::string_view error_message) {
    if (in_transaction_)
        throw std::logic_error("reload_trigger_tables() inside a transaction would commit it");
    // REPAIR repairs nothing on InnoDB ("doesn't support repair") but, like
    // every table maintenance statement, makes the server close the table's
    // cached instances. FLUSH TABLES would need the global RELOAD privilege,
    // which no boxwarden user has. CALL reload_cached_table (migration 0009,
    // definer's rights) works for every boxwarden user; a direct REPAIR,
    // which needs SELECT and INSERT on the table, covers a schema before
    // 0009. On Galera REPAIR is replicated in total order like any schema
    // change (run locally, it would wait for the table's lock outside that
    // order, with the node's appliers queued behind it). The lock wait is
    // bounded.
    reloading_tables_ = true;
    std::vector<std::string> reloaded;
    try {
        const std::string saved_timeout =
            query("SELECT @@SESSION.lock_wait_timeout AS t").at(0).str("t");
        execute_script_statement("SET SESSION lock_wait_timeout = 5");
        for (const std::string_view table : tables_for_unloaded_triggers(error_message)) {
            bool ok = false;
            bool called = false;  // the procedure ran: its answer stands
            try {
                ok = repair_ran(query("CALL reload_cached_table(?)", {std::string(table)}));
                called = true;
            } catch (const Error&) {
                if (broken_) throw;  // 1305 before 0009, 1370 without EXECUTE
            }
            if (!called) {
                try {
                    ok = repair_ran(
                        query(std::string(galera_ ? "REPAIR TABLE `"
                                                  : "REPAIR NO_WRITE_TO_BINLOG TABLE `") +
                              std::string(table) + "`"));
                } catch (const Error&) {
                    if (broken_) throw;  // 1142: this user may not either
                }
            }
            if (ok) reloaded.emplace_back(table);
        }
        execute_script_statement("SET SESSION lock_wait_timeout = " + saved_timeout);
    } catch (...) {
        reloading_tables_ = false;
        throw;
    }
    reloading_tables_ = false;
    // The session that met the broken table keeps stale copies of what it
    // had parsed then: its prepared statements and the stored procedures in
    // its cache fail once more after the reload ("PROCEDURE … does not
    // exist", "Table … doesn't exist"). A new session starts clean; session
    // variables set earlier are gone, as after any reconnect.
    reconnect();
    return reloaded;
}

void Connection::for_each_row(std::string_view sql, const std::vector<Param>& params,
                              const std::function<void(const Row&)>& on_row) {
    bool started = false;
    with_retry([&] {
        // Never replay after rows were handed out: the caller saw them once.
        if (started) throw sql::SQLException("connection lost while streaming rows", "08S01", 2013);
        sql::PreparedStatement& ps = prepare(sql);
        bind(ps, params);
        ps.execute();
        std::unique_ptr<sql::ResultSet> rs(ps.getResultSet());
        if (rs) {
            started = true;
            stream_result(*rs, on_row);
        }
        while (ps.getMoreResults()) std::unique_ptr<sql::ResultSet> more(ps.getResultSet());
        return 0;
    });
}

std::vector<Row> Connection::query(std::string_view sql, const std::vector<Param>& params) {
    std::vector<Row> rows;
    with_retry([&] {
        rows.clear();
        sql::PreparedStatement& ps = prepare(sql);
        bind(ps, params);
        ps.execute();
        std::unique_ptr<sql::ResultSet> rs(ps.getResultSet());
        if (rs) stream_result(*rs, [&](const Row& r) { rows.push_back(r); });
        while (ps.getMoreResults()) std::unique_ptr<sql::ResultSet> more(ps.getResultSet());
        return 0;
    });
    return rows;
}

std::uint64_t Connection::execute(std::string_view sql, const std::vector<Param>& params) {
    return with_retry([&]() -> std::uint64_t {
        sql::PreparedStatement& ps = prepare(sql);
        bind(ps, params);
        // Connector/C++ 1.1 has no getUpdateCount() for prepared statements;
        // executeUpdate() gives the affected-row count.
        const int affected = ps.executeUpdate();
        while (ps.getMoreResults()) std::unique_ptr<sql::ResultSet> more(ps.getResultSet());
        return affected < 0 ? 0 : static_cast<std::uint64_t>(affected);
    });
}

void Connection::execute_script_statement(std::string_view sql) {
    if (!conn_) reconnect();
    try {
        std::unique_ptr<sql::Statement> st(conn_->createStatement());
        st->execute(sql::SQLString(std::string(sql)));
        do {
            std::unique_ptr<sql::ResultSet> rs(st->getResultSet());
        } while (st->getMoreResults());
    } catch (const sql::SQLException& e) {
        rethrow(e, "script statement failed");
    }
}

void Connection::begin() {
    if (!conn_) reconnect();
    try {
        conn_->setAutoCommit(false);
        in_transaction_ = true;
    } catch (const sql::SQLException& e) {
        rethrow(e, "begin transaction");
    }
}

namespace {
constexpr const char* kTransactionSavepoint = "bw_transaction_start";
}  // namespace

void Connection::mark_transaction_start() {
    execute_script_statement(std::string("SAVEPOINT ") + kTransactionSavepoint);
    savepoint_set_ = true;
}

bool Connection::transaction_was_lost() noexcept {
    if (!savepoint_set_ || !conn_ || broken_) return false;
    savepoint_set_ = false;
    try {
        std::unique_ptr<sql::Statement> st(conn_->createStatement());
        st->execute(std::string("RELEASE SAVEPOINT ") + kTransactionSavepoint);
        return false;
    } catch (const sql::SQLException& e) {
        // Gone (1305), or the pending abort is reported now (1213): either
        // way the transaction is no more.
        return e.getErrorCode() == 1305 || e.getErrorCode() == 1213;
    } catch (...) {
        return false;
    }
}

void Connection::commit() {
    if (savepoint_set_) {
        savepoint_set_ = false;
        try {
            std::unique_ptr<sql::Statement> st(conn_->createStatement());
            st->execute(std::string("RELEASE SAVEPOINT ") + kTransactionSavepoint);
        } catch (const sql::SQLException& e) {
            // Never COMMIT after this: the error may be the abort of this
            // transaction, and COMMIT would then commit an empty new one.
            rollback();
            if (e.getErrorCode() == 1305)
                throw TemporaryFailure(
                    "commit: the transaction had been rolled back by the server without an "
                    "error (Galera brute-force abort); nothing was committed",
                    1213, "40001");
            rethrow(e, "commit");
        }
    }
    savepoint_set_ = false;
    try {
        // Connector/C++ 1.1's Connection::commit() drops the server's answer
        // to COMMIT: a commit that failed (on Galera: a certification failure,
        // which is only known at COMMIT) passed as a success and the
        // transaction was silently lost. COMMIT as a statement reports it.
        std::unique_ptr<sql::Statement> st(conn_->createStatement());
        st->execute("COMMIT");
        in_transaction_ = false;
        conn_->setAutoCommit(true);
    } catch (const sql::SQLException& e) {
        in_transaction_ = false;
        // The server has rolled the transaction back; leave autocommit on.
        try {
            if (conn_) conn_->setAutoCommit(true);
        } catch (...) {
        }
        rethrow(e, "commit");
    }
}

void Connection::rollback() noexcept {
    in_transaction_ = false;
    savepoint_set_ = false;
    if (!conn_) return;
    try {
        conn_->rollback();
        conn_->setAutoCommit(true);
    } catch (...) {
        broken_ = true;
    }
}

void Connection::ping() {
    with_retry([&] {
        if (!conn_) reconnect();
        std::unique_ptr<sql::Statement> st(conn_->createStatement());
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT 1"));
        return 0;
    });
}

// ---- ConnectionPool --------------------------------------------------------

ConnectionPool::ConnectionPool(ConnectionParams params, size_t size)
    : params_(std::move(params)), size_(size == 0 ? 1 : size) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease ConnectionPool::lease(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, wait, [&] { return !idle_.empty() || out_ < size_; }))
        throw TemporaryFailure(
            "no database connection free within " + std::to_string(wait.count()) + " ms", 0,
            "HY000");
    std::unique_ptr<Connection> c;
    if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
    }
    ++out_;
    lock.unlock();
    try {
        if (!c)
            c = std::make_unique<Connection>(params_);
        else if (c->broken())
            c->reconnect();
    } catch (...) {
        std::lock_guard relock(mu_);
        --out_;
        cv_.notify_one();
        throw;
    }
    return Lease(this, std::move(c));
}

void ConnectionPool::give_back(std::unique_ptr<Connection> c) {
    std::lock_guard lock(mu_);
    --out_;
    if (c && !c->broken()) {
        if (c->in_transaction()) c->rollback();
        idle_.push_back(std::move(c));
    }
    cv_.notify_one();
}

ConnectionPool::Lease::~Lease() {
    if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

}  // namespace boxwarden::db
