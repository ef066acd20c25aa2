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

struct ConnectionParams {
    std::string socket;  // used when host is empty
    std::string host;
    int port = 3306;
    std::string database;
    std::string user;
    std::string password;
    std::chrono::seconds connect_timeout{2};
    std::chrono::seconds read_timeout{3};
    std::chrono::seconds write_timeout{3};
};

ConnectionParams params_from_config(const Config& config);

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
    void commit();
    void rollback() noexcept;
    bool in_transaction() const { return in_transaction_; }

    // True when the last error lost the connection (caller should drop it).
    bool broken() const { return broken_; }
    // Reconnects (dropping prepared statements).
    void reconnect();
    // Cheap liveness check; reconnects once if the server went away.
    void ping();

    const ConnectionParams& params() const { return params_; }

  private:
    sql::PreparedStatement& prepare(std::string_view sql);
    [[noreturn]] void rethrow(const sql::SQLException& e, std::string_view context);
    template <typename F>
    auto with_retry(F&& f) -> decltype(f());

    ConnectionParams params_;
    std::unique_ptr<sql::Connection> conn_;
    std::map<std::string, std::unique_ptr<sql::PreparedStatement>, std::less<>> statements_;
    bool in_transaction_ = false;
    bool broken_ = false;
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
