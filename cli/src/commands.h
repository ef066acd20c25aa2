#pragma once
// The command table: every command of boxwardenctl with its handler. Each
// group lives in its own file (cmd_*.cpp) and appends its commands here.
#include <span>
#include <vector>

#include "args.h"

namespace boxwarden::cli {

std::span<const CommandSpec> all_commands();

void add_db_commands(std::vector<CommandSpec>& out);
void add_domain_commands(std::vector<CommandSpec>& out);
void add_mailbox_commands(std::vector<CommandSpec>& out);
void add_assignment_commands(std::vector<CommandSpec>& out);
void add_user_commands(std::vector<CommandSpec>& out);
void add_settings_commands(std::vector<CommandSpec>& out);
void add_activity_commands(std::vector<CommandSpec>& out);
void add_password_commands(std::vector<CommandSpec>& out);
void add_client_setup_commands(std::vector<CommandSpec>& out);  // send-access-data, autoconfig
void add_web_admin_commands(std::vector<CommandSpec>& out);     // admin: accounts of boxwarden-web
void add_web_admin_totp_commands(std::vector<CommandSpec>& out);  // admin totp: their second factor
void add_status_commands(std::vector<CommandSpec>& out);          // status (policyd health)

// Runs a parsed command line: help, version, or the handler; maps every
// error to its exit code and message. The whole CLI behind main().
int run(const std::vector<std::string>& argv);

}  // namespace boxwarden::cli
