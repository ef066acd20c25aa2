#pragma once
// Runs a helper program (sendmail, doveadm) without a shell: argv is passed
// as is, so no value is ever interpreted by /bin/sh.
#include <optional>
#include <string>
#include <vector>

namespace boxwarden::admin {

struct ProcessResult {
    bool started = false;     // false: could not be executed (see start_error)
    std::string start_error;  // e.g. "No such file or directory"
    int exit_code = -1;       // valid when exited
    int signal = 0;           // non-zero when killed by a signal
    std::string out;
    std::string err;
    bool ok() const { return started && signal == 0 && exit_code == 0; }
};

// Runs argv[0] (a path; PATH is not searched) with `input` on its stdin and
// collects stdout and stderr. Gives up (SIGKILL) after timeout_seconds.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          int timeout_seconds = 60);

// "exit status 3", "killed by signal 9", "could not run: ..."
std::string describe_status(const ProcessResult& r);

}  // namespace boxwarden::admin
