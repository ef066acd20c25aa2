#include "args.h"

#include <algorithm>
#include <array>
#include <set>
#include <sstream>

#include "boxwarden/config.h"

namespace boxwarden::cli {

namespace {

const std::array kGlobalOptions{
    OptionSpec{"config", "FILE", "configuration file (default /etc/boxwarden/boxwarden.conf)"},
    OptionSpec{"defaults-file", "FILE",
               "MySQL option file whose [client] section gives user, password, host, port, "
               "socket or database (overrides the configuration file)"},
    OptionSpec{"json", "", "print machine-readable JSON instead of text"},
    OptionSpec{"help", "", "show help for the command (also -h)"},
    OptionSpec{"version", "", "print the version"},
};

bool starts_with_words(const std::vector<std::string>& path, const std::vector<std::string>& w) {
    if (w.size() > path.size()) return false;
    return std::equal(w.begin(), w.end(), path.begin());
}

bool is_prefix_of_any(std::span<const CommandSpec> commands, const std::vector<std::string>& w) {
    for (const auto& c : commands)
        if (starts_with_words(split_words(c.path), w)) return true;
    return false;
}

const CommandSpec* find_exact(std::span<const CommandSpec> commands,
                              const std::vector<std::string>& w) {
    for (const auto& c : commands)
        if (split_words(c.path) == w) return &c;
    return nullptr;
}

std::string join(const std::vector<std::string>& w) {
    std::string out;
    for (const auto& s : w) out += (out.empty() ? "" : " ") + s;
    return out;
}

// The next words possible after `w` (for "unknown command" messages).
std::vector<std::string> next_words(std::span<const CommandSpec> commands,
                                    const std::vector<std::string>& w) {
    std::set<std::string> out;
    for (const auto& c : commands) {
        auto path = split_words(c.path);
        if (path.size() > w.size() && starts_with_words(path, w)) out.insert(path[w.size()]);
    }
    return {out.begin(), out.end()};
}

const OptionSpec* find_option(std::span<const OptionSpec> options, const std::string& name) {
    for (const auto& o : options)
        if (o.name == name) return &o;
    return nullptr;
}

std::string commands_hint(std::span<const CommandSpec> commands,
                          const std::vector<std::string>& w) {
    auto next = next_words(commands, w);
    if (next.empty()) return {};
    return " (expected one of: " + join(next) + ")";
}

const CommandSpec& resolve(std::span<const CommandSpec> commands,
                           const std::vector<std::string>& words) {
    if (const CommandSpec* c = find_exact(commands, words)) return *c;
    if (words.empty()) throw UsageError("no command given; try 'boxwardenctl --help'");
    if (is_prefix_of_any(commands, words))
        throw UsageError("'" + join(words) + "' needs a subcommand" +
                         commands_hint(commands, words));
    throw UsageError("unknown command '" + join(words) + "'; try 'boxwardenctl --help'");
}

void append_wrapped(std::ostringstream& out, const std::string& text, size_t indent,
                    size_t width = 100) {
    std::istringstream words(text);
    std::string word;
    size_t col = indent;
    bool first = true;
    while (words >> word) {
        if (!first && col + 1 + word.size() > width) {
            out << "\n" << std::string(indent, ' ');
            col = indent;
            first = true;
        }
        if (!first) {
            out << ' ';
            ++col;
        }
        out << word;
        col += word.size();
        first = false;
    }
}

void append_options(std::ostringstream& out, std::span<const OptionSpec> options) {
    for (const auto& o : options) {
        std::string head = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
        out << head;
        if (head.size() < 26)
            out << std::string(26 - head.size(), ' ');
        else
            out << "\n" << std::string(26, ' ');
        append_wrapped(out, o.help, 26);
        out << "\n";
    }
}

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success\n"
    "  1  refused by a rule (the message names the rule and the value); nothing was changed\n"
    "  2  usage error (unknown command or option, missing argument)\n"
    "  3  temporary failure (database unreachable, lock timeout): retry later\n"
    "  4  other error (configuration, key file, sendmail or doveadm failure)\n";

}  // namespace

std::vector<std::string> split_words(const std::string& path) {
    std::vector<std::string> out;
    std::istringstream in(path);
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

std::span<const OptionSpec> global_options() {
    return kGlobalOptions;
}

std::optional<std::string> ParsedArgs::get(const std::string& option) const {
    auto it = options.find(option);
    if (it == options.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> ParsedArgs::opt_arg(size_t i) const {
    if (i < positionals.size()) return positionals[i];
    return std::nullopt;
}

ParsedArgs parse_command_line(const std::vector<std::string>& argv,
                              std::span<const CommandSpec> commands) {
    ParsedArgs out;
    out.global.config_path = std::string(kDefaultConfigPath);
    bool resolved = false;
    bool only_positionals = false;
    std::set<std::string> seen_globals;

    auto take_value = [&](size_t& i, const std::string& name,
                          const std::optional<std::string>& inline_value) -> std::string {
        if (inline_value) return *inline_value;
        if (i + 1 >= argv.size()) throw UsageError("option --" + name + " needs a value");
        return argv[++i];
    };
    auto resolve_now = [&] {
        if (resolved) return;
        if (out.global.help) return;  // help for a group or the overview
        out.command = &resolve(commands, out.words);
        resolved = true;
    };

    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& tok = argv[i];
        const bool is_option = !only_positionals && tok.size() > 1 && tok[0] == '-';
        if (!is_option) {
            if (!resolved && !only_positionals) {
                auto extended = out.words;
                extended.push_back(tok);
                if (out.words.empty() && tok == "help") {
                    out.global.help = true;  // "boxwardenctl help mailbox create"
                    continue;
                }
                if (is_prefix_of_any(commands, extended)) {
                    out.words = std::move(extended);
                    continue;
                }
                if (out.global.help) {
                    out.words = std::move(extended);  // reported by format_help
                    continue;
                }
                if (!find_exact(commands, out.words))
                    throw UsageError("unknown command '" + join(extended) + "'" +
                                     commands_hint(commands, out.words) +
                                     "; try 'boxwardenctl --help'");
                resolve_now();
            }
            out.positionals.push_back(tok);
            continue;
        }
        if (tok == "--") {
            resolve_now();
            only_positionals = true;
            continue;
        }
        if (tok == "-h") {
            out.global.help = true;
            continue;
        }
        if (tok.rfind("--", 0) != 0)
            throw UsageError("unknown option '" + tok.substr(0, 2) +
                             "...'; options are spelled --name");
        std::string name = tok.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (const OptionSpec* g = find_option(kGlobalOptions, name)) {
            if (!seen_globals.insert(name).second)
                throw UsageError("option --" + name + " given twice");
            if (g->value_name.empty() && inline_value)
                throw UsageError("option --" + name + " takes no value");
            if (name == "config")
                out.global.config_path = take_value(i, name, inline_value);
            else if (name == "defaults-file")
                out.global.defaults_file = take_value(i, name, inline_value);
            else if (name == "json")
                out.global.json = true;
            else if (name == "help")
                out.global.help = true;
            else if (name == "version")
                out.global.version = true;
            continue;
        }
        if (out.global.help || out.global.version) continue;  // help wins; ignore the rest
        if (!resolved && !find_exact(commands, out.words)) {
            // An option before (or inside) the command words: name the
            // option, not the missing command. Never echo its value.
            if (name == "password" || name == "db-password")
                throw UsageError("unknown option --" + name +
                                 "; boxwardenctl takes no password on the command line (the "
                                 "database password comes from db_password or --defaults-file)");
            bool any = false;
            for (const auto& c : commands) any = any || find_option(c.options, name);
            if (!any) throw UsageError("unknown option --" + name + "; try 'boxwardenctl --help'");
            throw UsageError(
                "option --" + name + " belongs after the command it is for" +
                (out.words.empty() ? std::string() : " ('" + join(out.words) + "' is incomplete)") +
                "; try 'boxwardenctl --help'");
        }
        resolve_now();
        const OptionSpec* o = find_option(out.command->options, name);
        if (!o)
            throw UsageError("unknown option --" + name + " for '" + out.command->path +
                             "'; see 'boxwardenctl " + out.command->path + " --help'");
        if (out.options.count(name)) throw UsageError("option --" + name + " given twice");
        if (o->value_name.empty()) {
            if (inline_value) throw UsageError("option --" + name + " takes no value");
            out.options[name] = "";
        } else {
            out.options[name] = take_value(i, name, inline_value);
        }
    }
    if (out.global.help || out.global.version) return out;
    resolve_now();

    size_t required = 0;
    for (const auto& a : out.command->args)
        if (a.required) ++required;
    if (out.positionals.size() < required)
        throw UsageError("'" + out.command->path + "' needs " +
                         out.command->args[out.positionals.size()].name +
                         "; usage: " + usage_line(*out.command));
    if (out.positionals.size() > out.command->args.size())
        throw UsageError("too many arguments for '" + out.command->path +
                         "'; usage: " + usage_line(*out.command));
    for (const auto& o : out.command->options)
        if (o.required && !out.options.count(o.name))
            throw UsageError("'" + out.command->path + "' needs --" + o.name + " " + o.value_name +
                             "; usage: " + usage_line(*out.command));
    return out;
}

std::string usage_line(const CommandSpec& command) {
    std::string out = "boxwardenctl " + command.path;
    for (const auto& a : command.args) out += a.required ? " " + a.name : " [" + a.name + "]";
    for (const auto& o : command.options) {
        const std::string text = "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
        out += o.required ? " " + text : " [" + text + "]";
    }
    return out;
}

std::string format_help(std::span<const CommandSpec> commands,
                        const std::vector<std::string>& topic) {
    std::ostringstream out;
    if (const CommandSpec* c = find_exact(commands, topic)) {
        out << "Usage: " << usage_line(*c) << "\n\n";
        append_wrapped(out, c->summary, 0);
        out << "\n";
        if (!c->details.empty()) {
            out << "\n";
            std::istringstream paragraphs(c->details);
            std::string line;
            while (std::getline(paragraphs, line)) {
                if (line.empty()) {
                    out << "\n";
                    continue;
                }
                append_wrapped(out, line, 0);
                out << "\n";
            }
        }
        if (!c->options.empty()) {
            out << "\nOptions:\n";
            append_options(out, c->options);
        }
        out << "\nGlobal options: --config FILE, --defaults-file FILE, --json, --help\n";
        return out.str();
    }
    if (!topic.empty() && !is_prefix_of_any(commands, topic))
        throw UsageError("no help for unknown command '" + join(topic) +
                         "'; try 'boxwardenctl --help'");
    if (topic.empty()) {
        out << "boxwardenctl — administer boxwarden mailboxes, users and settings\n\n"
               "Usage: boxwardenctl [global options] COMMAND [arguments] [options]\n"
               "       boxwardenctl COMMAND --help\n\n";
    } else {
        out << "Commands under '" << join(topic) << "':\n\n";
    }
    if (topic.empty()) out << "Commands:\n";
    size_t width = 0;
    for (const auto& c : commands)
        if (starts_with_words(split_words(c.path), topic)) width = std::max(width, c.path.size());
    for (const auto& c : commands) {
        if (!starts_with_words(split_words(c.path), topic)) continue;
        out << "  " << c.path << std::string(width - c.path.size() + 2, ' ');
        append_wrapped(out, c.summary, width + 4);
        out << "\n";
    }
    if (topic.empty()) {
        out << "\nGlobal options (accepted anywhere on the line):\n";
        append_options(out, kGlobalOptions);
        out << "\n" << kExitCodes;
        out << "\nThe database password is read only from the configuration file (db_password)\n"
               "or a --defaults-file; it is never accepted on the command line.\n";
    }
    return out.str();
}

}  // namespace boxwarden::cli
