#pragma once
// Test support for policyd integration tests: the real boxwarden-policyd
// binary with a generated configuration, a protocol client for its sockets,
// a private MariaDB that a test may stop and restart, and small process
// helpers. Everything lives under the build tree and listens on loopback or
// unix sockets only.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boxwarden/client_connection.h"

namespace boxwarden::policyd::testing {

// A fresh folder under the build tree for one test (removed first if present).
std::string test_dir(const std::string& name);

// A loopback TCP port for the caller to bind next (tests/harness/free_port.py).
int free_port();

// Runs a shell command; returns its exit status and fills output (stdout+stderr).
int run_shell(const std::string& command, std::string* output = nullptr);

// Polls until pred() is true or timeout passes; returns the last result.
bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds step = std::chrono::milliseconds(50));

// One client connection to a policyd socket, on boxwarden_client's
// Connection (the one socket implementation). Replies are read as Raw and
// returned as they came on the wire, so escaped values stay escaped.
class Client {
  public:
    static Client connect_unix(const std::string& path);
    Client(Client&& o) noexcept = default;
    Client& operator=(Client&& o) noexcept = default;
    ~Client() = default;
    bool connected() const { return conn_.is_open(); }

    // False when the peer is gone (EPIPE/ECONNRESET).
    bool send(std::string_view bytes);
    // The next reply (up to and including the empty line), or nullopt when
    // the connection closed or nothing came within the timeout.
    std::optional<std::string> read_reply(
        std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // True when the daemon closed the connection within the timeout.
    bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  private:
    explicit Client(client::Connection conn) : conn_(std::move(conn)) {}
    client::Connection conn_;
};

// "name=value" lines of a reply -> map (first value wins).
std::map<std::string, std::string> parse_reply(const std::string& reply);

// A policy request for the RCPT stage.
std::string rcpt_request(const std::string& recipient, const std::string& sender = "a@example.org",
                         const std::string& sasl_username = "");

// boxwarden-policyd run as a child process.
class PolicydProcess {
  public:
    struct Options {
        std::string dir;  // sockets, config, log and spool go here
        std::string db_socket;
        std::string db_name;
        std::string refresh_interval = "200ms";
        std::string cutoff = "3s";
        std::string idle_timeout = "60s";
        std::string full_reload_interval = "2s";  // must stay below cutoff
        std::string run_user;                     // empty: stay the caller
        // Tests connect as root; other peers only where a test asks.
        std::string policy_allowed_users = "*";
        std::string query_allowed_users = "*";
        std::string socket_mode = "0660";
        // The private Postfix's smtpd runs as postfix, as on a real host.
        std::string policy_socket_group = "postfix";
        std::string query_socket_group;   // empty: the daemon's own group
        std::string extra_policy_listen;  // e.g. ",inet:127.0.0.1:PORT"
        std::string extra_config;         // further "key = value" lines
    };
    explicit PolicydProcess(Options options);
    ~PolicydProcess();

    // Starts and waits until the query socket answers (and, when
    // wait_synced, the cache has loaded). False on timeout or early exit.
    bool start(bool wait_synced = true);
    // SIGTERM, then waits; returns the exit status (-1 on timeout / signal).
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    void signal(int sig);
    bool running();
    pid_t pid() const { return pid_; }

    std::string policy_socket() const { return opt_.dir + "/policy.sock"; }
    std::string query_socket() const { return opt_.dir + "/query.sock"; }
    std::string config_path() const { return opt_.dir + "/boxwarden.conf"; }
    std::string log() const;

    // One request on a fresh connection; the parsed reply (empty map when
    // the connection closed without a reply).
    std::map<std::string, std::string> query(const std::string& request);
    std::string policy_action(const std::string& request);

  private:
    Options opt_;
    pid_t pid_ = -1;
    int exit_status_ = -1;
};

// A private MariaDB in its own folder, stoppable and restartable with its
// data kept (for outage tests).
class PrivateMariadb {
  public:
    explicit PrivateMariadb(std::string dir) : dir_(std::move(dir)) {}
    ~PrivateMariadb();
    bool create_and_start();  // fresh datadir
    bool stop();
    bool restart();  // same datadir
    std::string socket() const { return dir_ + "/mysqld.sock"; }

  private:
    bool start_server();
    std::string dir_;
};

// Runs SQL through the mariadb client (for plain-SQL admin edits).
int mariadb_exec(const std::string& socket, const std::string& db, const std::string& sql,
                 std::string* output = nullptr);

}  // namespace boxwarden::policyd::testing
