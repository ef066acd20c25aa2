#pragma once
// Command-line parsing for boxwardenctl: a table of commands (space-separated
// words such as "mailbox ooo enable"), their positional arguments and their
// options, plus the global options accepted anywhere. Pure: no I/O, so it is
// unit tested (tests/unit/cli_args_test.cpp).
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace boxwarden::cli {

// A command line that cannot be understood (exit code 2).
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;        // without the leading "--"
    std::string value_name;  // empty: a flag without a value
    std::string help;
    bool required = false;  // shown without brackets; missing = usage error
};

struct ArgSpec {
    std::string name;  // e.g. "ADDRESS"
    bool required = true;
};

struct ParsedArgs;
class Context;
using Handler = int (*)(Context&, const ParsedArgs&);

struct CommandSpec {
    std::string path;  // "mailbox ooo enable"
    std::vector<ArgSpec> args;
    std::vector<OptionSpec> options;
    std::string summary;  // one line
    std::string details;  // optional paragraph(s) for --help
    Handler handler = nullptr;
};

struct GlobalOptions {
    std::string config_path;  // --config (default /etc/boxwarden/boxwarden.conf)
    std::optional<std::string> defaults_file;
    bool json = false;
    bool help = false;
    bool version = false;
};

struct ParsedArgs {
    GlobalOptions global;
    const CommandSpec* command = nullptr;  // null with --help/--version or no words
    std::vector<std::string> words;        // the command words given (help topic)
    std::vector<std::string> positionals;
    std::map<std::string, std::string> options;  // flags map to ""

    bool has(const std::string& option) const { return options.count(option) > 0; }
    std::optional<std::string> get(const std::string& option) const;
    const std::string& arg(size_t i) const { return positionals.at(i); }
    std::optional<std::string> opt_arg(size_t i) const;
};

// The global options, documented in --help and docs/cli.md.
std::span<const OptionSpec> global_options();

// Parses argv without the program name. Throws UsageError; never echoes an
// option's value in the message (it might be a password typed by mistake).
ParsedArgs parse_command_line(const std::vector<std::string>& argv,
                              std::span<const CommandSpec> commands);

// Help text: the overview for an empty topic, the list of commands under a
// group ("mailbox"), or one command's usage, options and details.
std::string format_help(std::span<const CommandSpec> commands,
                        const std::vector<std::string>& topic);

// "boxwardenctl mailbox create ADDRESS [--email-name NAME] [--vip]"
std::string usage_line(const CommandSpec& command);

// Splits "mailbox ooo enable" into words.
std::vector<std::string> split_words(const std::string& path);

}  // namespace boxwarden::cli
