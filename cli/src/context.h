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
#include "boxwarden/admin.h"
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

// Refusals (exit code 1) and tool failures (exit code 4, or 3 when
// temporary) are the admin library's, shared with the web page.
using admin::Refusal;
using admin::ToolError;

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
    // The admin library's view of this run: the connection (opened now),
    // the configuration, and warnings on stderr.
    admin::Env env();

    std::ostream& err() { return err_; }

  private:
    ParsedArgs args_;
    std::ostream& out_;
    std::ostream& err_;
    std::optional<Config> config_;
    std::unique_ptr<db::Connection> db_;
};

// Common look-ups, inside the current transaction (admin library).
using admin::lock_mailbox;
using admin::lock_user;
using admin::MailboxRef;

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

// Text checks with the schema's reasons (admin library).
using admin::require_display_text;
using admin::require_utf8;

}  // namespace boxwarden::cli
