#pragma once
// The MySQL/MariaDB access layer: the only code that touches MySQL
// Connector/C++, so another client library could replace it without changing
// callers. Prepared statements only (migrations excepted: DDL and stored
// programs cannot be prepared, and carry no user input). Every failure is
// typed: a database that cannot answer is TemporaryFailure, never "not found".
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "boxwarden/clock.h"

namespace sql {
class Connection;
class PreparedStatement;
class ResultSet;
class SQLException;
}  // namespace sql

namespace boxwarden {
class Config;
}

namespace boxwarden::db {

// One database server reached over TCP (a Galera node, say).
struct HostPort {
    std::string host;
    int port = 3306;
};

struct ConnectionParams {
    std::string socket;  // used when host is empty
    std::string host;
    int port = 3306;
    // When not empty (db_hosts), replaces host/port/socket: the servers are
    // tried in this order on every (re)connect, so the first one that is up
    // (and, on Galera, Synced in the primary component) is used.
    std::vector<HostPort> hosts;
    std::string database;
    std::string user;
    std::string password;
    std::chrono::seconds connect_timeout{2};
    std::chrono::seconds read_timeout{3};
    std::chrono::seconds write_timeout{3};
};

ConnectionParams params_from_config(const Config& config);

// Parses db_hosts: "host[:port]" entries separated by commas (blanks
// allowed); a missing port is default_port. Throws std::invalid_argument on
// an empty entry or a bad port.
std::vector<HostPort> parse_host_list(std::string_view text, int default_port);

// Base of every database error. code is the MySQL error number, sqlstate the
// five-character SQLSTATE.
class Error : public std::runtime_error {
  public:
    Error(const std::string& what, int code, std::string sqlstate)
        : std::runtime_error(what), code_(code), sqlstate_(std::move(sqlstate)) {}
    int code() const { return code_; }
    const std::string& sqlstate() const { return sqlstate_; }

  private:
    int code_;
    std::string sqlstate_;
};

// The database could not answer now (unreachable, connection lost, timeout,
// deadlock, lock wait, cluster node not ready): retry later; decide nothing.
class TemporaryFailure : public Error {
  public:
    using Error::Error;
};

// The database refused the data: a boxwarden rule (SIGNAL SQLSTATE '45000',
// what() is the rule's message), a constraint, or an invalid value.
class RuleViolation : public Error {
  public:
    using Error::Error;
};

// Maps a client-library error code + SQLSTATE to the error class above.
enum class ErrorKind { Temporary, Rule, Permanent };
ErrorKind classify_error(int code, std::string_view sqlstate);

using Param = std::variant<std::nullptr_t, std::string, std::int64_t, double, bool>;

// One result row; columns by index or name. Values are text as the server
// sent them (DATETIME as "YYYY-MM-DD HH:MM:SS.ffffff"); NULL is nullopt.
class Row {
  public:
    Row(std::shared_ptr<const std::vector<std::string>> names,
        std::vector<std::optional<std::string>> values)
        : names_(std::move(names)), values_(std::move(values)) {}

    size_t size() const { return values_.size(); }
    const std::optional<std::string>& at(size_t i) const { return values_.at(i); }
    const std::optional<std::string>& at(std::string_view name) const;
    bool is_null(std::string_view name) const { return !at(name).has_value(); }
    // These throw std::runtime_error on NULL or a value of the wrong form.
    std::string str(std::string_view name) const;
    std::int64_t i64(std::string_view name) const;
    bool boolean(std::string_view name) const { return i64(name) != 0; }
    TimePoint time(std::string_view name) const;
    std::optional<std::string> opt_str(std::string_view name) const { return at(name); }
    std::optional<TimePoint> opt_time(std::string_view name) const;

  private:
    std::shared_ptr<const std::vector<std::string>> names_;
    std::vector<std::optional<std::string>> values_;
};

// "2026-01-02 03:04:05.123456" (UTC) <-> time point.
std::optional<TimePoint> parse_sql_datetime(std::string_view text);
std::string format_sql_datetime(TimePoint t);

class Connection {
  public:
    explicit Connection(ConnectionParams params);  // connects; throws TemporaryFailure
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs a prepared statement that returns rows (SELECT, or CALL of a
    // procedure that ends with a SELECT); later result sets are drained.
    std::vector<Row> query(std::string_view sql, const std::vector<Param>& params = {});
    // Streams rows one at a time (for large loads); same rules as query().
    void for_each_row(std::string_view sql, const std::vector<Param>& params,
                      const std::function<void(const Row&)>& on_row);
    // Runs a prepared statement that returns no rows; returns affected rows.
    std::uint64_t execute(std::string_view sql, const std::vector<Param>& params = {});
    // Runs unprepared SQL with no parameters (migrations, SET, transactions).
    void execute_script_statement(std::string_view sql);

    void begin();
    // Sets a savepoint at the start of the transaction (after begin()). On
    // Galera a transaction that a replicated write aborts (brute-force abort)
    // is at times rolled back without the error reaching the client (seen
    // with statements that run triggers and stored procedures); the next
    // statements then run in a new transaction. With the savepoint, commit()
    // notices (the savepoint is gone) and fails with a 1213 conflict instead
    // of committing what is left.
    void mark_transaction_start();
    // After a failure inside the transaction: true when the savepoint is gone,
    // i.e. the server had already rolled the transaction back.
    bool transaction_was_lost() noexcept;
    void commit();
    void rollback() noexcept;
    bool in_transaction() const { return in_transaction_; }

    // True when the last error lost the connection (caller should drop it).
    bool broken() const { return broken_; }
    // The caller saw this server fail (e.g. a Galera node that left the
    // primary component): a pool replaces the connection on its next lease.
    void mark_broken() { broken_ = true; }
    // Reconnects (dropping prepared statements).
    void reconnect();
    // Cheap liveness check; reconnects once if the server went away.
    void ping();
    // After a "… has an error in its body" refusal (trigger_tables.h), outside
    // a transaction: makes the server drop its cached instances of the tables
    // the refusal is about, so that the next statement parses their triggers
    // afresh, then reconnects (session variables are reset). Returns the
    // tables that were reloaded (through CALL reload_cached_table, else a
    // direct REPAIR, which needs SELECT and INSERT). Statements outside a transaction
    // do this themselves and run once more; run_transaction() does it before
    // running the transaction again.
    std::vector<std::string> reload_trigger_tables(std::string_view error_message);

    const ConnectionParams& params() const { return params_; }
    // Which of params().hosts this connection reached (0 = the preferred
    // one; always 0 without a host list), and its "host:port" / "unix:path".
    std::size_t endpoint_index() const { return endpoint_index_; }
    const std::string& endpoint() const { return endpoint_; }
    // True when the server is a Galera node (wsrep_local_state is reported).
    bool galera() const { return galera_; }
    // With a host list: when connected to a later host than the first, tries
    // the earlier ones and switches to the first that is ready (outside a
    // transaction only). Returns true when it switched.
    bool fail_back();

  private:
    // Connects to one endpoint and checks it is ready; throws like reconnect.
    std::unique_ptr<sql::Connection> open(const HostPort* hp, bool& galera);
    sql::PreparedStatement& prepare(std::string_view sql);
    [[noreturn]] void rethrow(const sql::SQLException& e, std::string_view context);
    template <typename F>
    auto with_retry(F&& f) -> decltype(f());

    ConnectionParams params_;
    std::unique_ptr<sql::Connection> conn_;
    std::map<std::string, std::unique_ptr<sql::PreparedStatement>, std::less<>> statements_;
    bool in_transaction_ = false;
    bool broken_ = false;
    bool savepoint_set_ = false;
    bool reloading_tables_ = false;
    std::size_t endpoint_index_ = 0;
    std::string endpoint_;
    bool galera_ = false;
};

// A small fixed-size pool for daemons: lease() blocks until a connection is
// free (or the timeout passes: TemporaryFailure). Broken connections are
// replaced on the next lease.
class ConnectionPool {
  public:
    ConnectionPool(ConnectionParams params, size_t size);
    ~ConnectionPool();

    class Lease {
      public:
        Lease(ConnectionPool* pool, std::unique_ptr<Connection> c)
            : pool_(pool), conn_(std::move(c)) {}
        Lease(Lease&& o) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        Connection& operator*() { return *conn_; }
        Connection* operator->() { return conn_.get(); }

      private:
        ConnectionPool* pool_;
        std::unique_ptr<Connection> conn_;
    };

    Lease lease(std::chrono::milliseconds wait = std::chrono::seconds(5));

  private:
    void give_back(std::unique_ptr<Connection> c);

    ConnectionParams params_;
    size_t size_;
    size_t out_ = 0;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::mutex mu_;
    std::condition_variable cv_;
};

// Connector/C++ needs per-thread set-up in threads other than the first one
// that used it: hold one of these for the life of such a thread.
class ThreadScope {
  public:
    ThreadScope();
    ~ThreadScope();
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;
};

// Calls get_driver_instance() once; must happen before threads start.
void initialize_driver();

}  // namespace boxwarden::db
