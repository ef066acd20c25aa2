#pragma once
// What every command handler gets: the parsed command line, the
// configuration, a database connection opened on first use, output in the
// chosen format, and the errors that map to boxwardenctl's exit codes.
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "args.h"
#include "boxwarden/config.h"
#include "boxwarden/db.h"
#include "output.h"

namespace boxwarden {
class SecretKey;
}

namespace boxwarden::cli {

enum ExitCode : int {
    kExitOk = 0,
    kExitRefused = 1,
    kExitUsage = 2,
    kExitTemporary = 3,
    kExitError = 4,
};

// A refusal decided by boxwardenctl itself, worded like the database's
// ("mailbox 'x@example.de' does not exist"): exit code 1, nothing changed.
class Refusal : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A failure outside the database (sendmail, key file, doveadm): exit code 4,
// or 3 when `temporary`.
class ToolError : public std::runtime_error {
  public:
    explicit ToolError(const std::string& what, bool temporary = false)
        : std::runtime_error(what), temporary_(temporary) {}
    bool temporary() const { return temporary_; }

  private:
    bool temporary_;
};

// Reads a MySQL option file's [client] section (user, password, host, port,
// socket, database) into params; other sections and keys are ignored.
// Throws ToolError for an unreadable file.
void apply_defaults_file(const std::string& path, db::ConnectionParams& params);

class Context {
  public:
    Context(ParsedArgs args, std::ostream& out, std::ostream& err);
    ~Context();

    const ParsedArgs& args() const { return args_; }
    const Config& config();  // loaded on first use; ConfigError on trouble
    db::Connection& db();    // connects on first use
    bool json() const { return args_.global.json; }

    // Runs f inside one transaction: committed when f returns, rolled back on
    // any exception (which is passed on). One command = one transaction.
    // After a deadlock (1213) or Galera conflict (1180) f runs again (at most
    // three times in all), so f must only change state through the database.
    void transaction(const std::function<void()>& f);

    // Prints the command's result in the chosen format.
    void print(const Json& value);
    // For commands that change something: JSON gets `value`, people get
    // `message` (one line).
    void done(const Json& value, const std::string& message);
    // A warning on stderr (both formats); the command still succeeds.
    void warn(const std::string& message);

    // The whole of stdin (for passwords and out-of-office bodies).
    std::string read_stdin();
    // stdin / stdout connected to a terminal.
    bool stdin_is_terminal() const;
    bool stdout_is_terminal() const;

    SecretKey load_secret_key();

    std::ostream& err() { return err_; }

  private:
    ParsedArgs args_;
    std::ostream& out_;
    std::ostream& err_;
    std::optional<Config> config_;
    std::unique_ptr<db::Connection> db_;
};

// Common look-ups, inside the current transaction. They lock the row
// (FOR UPDATE) so the command's later statements see what they checked.
struct MailboxRef {
    std::int64_t id = 0;
    std::string address;
};
MailboxRef lock_mailbox(db::Connection& c, const std::string& address);
std::int64_t lock_user(db::Connection& c, const std::string& login);

// "2026-11-27 11:26:35.123456" -> "2026-11-27T11:26:35Z" (UTC); NULL stays null.
Json iso_time(const std::optional<std::string>& sql_datetime);

// on/off, yes/no, 1/0 (case-insensitive) for options and arguments; throws
// UsageError naming `what`.
bool parse_on_off(const std::string& text, const std::string& what);

}  // namespace boxwarden::cli

namespace boxwarden::cli {

// "2026-12-01", "2026-12-01 08:00", "2026-12-01T08:00:00Z" (UTC) ->
// "2026-12-01 08:00:00" for SQL; throws UsageError naming `what`.
std::string parse_utc_time(const std::string& text, const std::string& what);

// Throws Refusal "<what> is not valid UTF-8 (at byte N)" for ill-formed text.
void require_utf8(const std::string& text, const std::string& what);

// A name shown in mail headers (email name, display name): valid UTF-8, no
// control character (the same rule and reason as the schema's triggers), at
// most max_chars characters (the column's size). Throws Refusal naming `what`.
void require_display_text(const std::string& text, const std::string& what, size_t max_chars);

}  // namespace boxwarden::cli
