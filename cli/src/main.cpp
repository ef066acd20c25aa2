// boxwardenctl: the boxwarden admin tool. See docs/cli.md.
#include <csignal>
#include <string>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
    // A helper (sendmail, doveadm) that exits early must not kill us while
    // we write to its stdin; its exit status reports the problem.
    std::signal(SIGPIPE, SIG_IGN);
    return boxwarden::cli::run(std::vector<std::string>(argv + 1, argv + argc));
}
