#include "commands.h"

#include <algorithm>
#include <iostream>

#include "boxwarden/secret_box.h"
#include "context.h"

#ifndef BOXWARDEN_VERSION
#define BOXWARDEN_VERSION "unknown"
#endif

namespace boxwarden::cli {

std::span<const CommandSpec> all_commands() {
    static const std::vector<CommandSpec> table = [] {
        std::vector<CommandSpec> t;
        add_db_commands(t);
        add_domain_commands(t);
        add_mailbox_commands(t);
        add_assignment_commands(t);
        add_user_commands(t);
        add_settings_commands(t);
        add_activity_commands(t);
        add_password_commands(t);
        add_client_setup_commands(t);
        add_web_admin_commands(t);
        add_web_admin_totp_commands(t);
        add_status_commands(t);
        // Keep each group together in help (mailbox send-access-data is
        // defined with autoconfig but belongs under mailbox).
        std::vector<std::string> groups;
        for (const auto& c : t) {
            const std::string g = split_words(c.path).front();
            if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
        }
        std::stable_sort(t.begin(), t.end(), [&](const CommandSpec& a, const CommandSpec& b) {
            auto rank = [&](const CommandSpec& c) {
                return std::find(groups.begin(), groups.end(), split_words(c.path).front()) -
                       groups.begin();
            };
            return rank(a) < rank(b);
        });
        return t;
    }();
    return table;
}

namespace {

int fail(int code, const std::string& kind, const std::string& message) {
    std::cerr << "boxwardenctl: " << kind << terminal_safe(message) << "\n";
    return code;
}

}  // namespace

int run(const std::vector<std::string>& argv) {
    ParsedArgs args;
    try {
        args = parse_command_line(argv, all_commands());
        if (args.global.version) {
            std::cout << "boxwardenctl " << BOXWARDEN_VERSION << "\n";
            return kExitOk;
        }
        if (args.global.help || !args.command) {
            std::cout << format_help(all_commands(), args.words);
            return kExitOk;
        }
    } catch (const UsageError& e) {
        return fail(kExitUsage, "usage: ", e.what());
    }
    Context ctx(std::move(args), std::cout, std::cerr);
    try {
        return ctx.args().command->handler(ctx, ctx.args());
    } catch (const UsageError& e) {
        return fail(kExitUsage, "usage: ", e.what());
    } catch (const db::RuleViolation& e) {
        return fail(kExitRefused, "refused: ", e.what());
    } catch (const Refusal& e) {
        return fail(kExitRefused, "refused: ", e.what());
    } catch (const db::TemporaryFailure& e) {
        return fail(kExitTemporary, "temporary failure, try again later: ", e.what());
    } catch (const ToolError& e) {
        if (e.temporary())
            return fail(kExitTemporary, "temporary failure, try again later: ", e.what());
        return fail(kExitError, "error: ", e.what());
    } catch (const ConfigError& e) {
        return fail(kExitError, "configuration: ", e.what());
    } catch (const db::Error& e) {
        return fail(kExitError, "database error: ", e.what());
    } catch (const std::exception& e) {
        return fail(kExitError, "error: ", e.what());
    }
}

}  // namespace boxwarden::cli
