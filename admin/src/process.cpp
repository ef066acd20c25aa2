#include "boxwarden/admin_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace boxwarden::admin {

namespace {

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe() {
        if (::pipe2(fd, O_CLOEXEC) != 0) throw std::runtime_error(std::strerror(errno));
    }
    ~Pipe() {
        close_read();
        close_write();
    }
    void close_read() {
        if (fd[0] >= 0) ::close(fd[0]);
        fd[0] = -1;
    }
    void close_write() {
        if (fd[1] >= 0) ::close(fd[1]);
        fd[1] = -1;
    }
};

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          int timeout_seconds) {
    ProcessResult result;
    if (argv.empty()) {
        result.start_error = "empty command";
        return result;
    }
    // A helper that is missing or not executable is reported as such, not as
    // a failed run (doveadm missing means "Dovecot is not on this host").
    if (::access(argv[0].c_str(), X_OK) != 0) {
        result.start_error = argv[0] + ": " + std::strerror(errno);
        return result;
    }
    Pipe in, out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        result.start_error = argv[0] + ": " + std::strerror(rc);
        return result;
    }
    result.started = true;
    in.close_read();
    out.close_write();
    err.close_write();
    if (input.empty()) in.close_write();
    for (int* fd : {&in.fd[1], &out.fd[0], &err.fd[0]})
        if (*fd >= 0) ::fcntl(*fd, F_SETFL, ::fcntl(*fd, F_GETFL) | O_NONBLOCK);

    size_t written = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    bool timed_out = false;
    while (out.fd[0] >= 0 || err.fd[0] >= 0 || in.fd[1] >= 0) {
        pollfd fds[3];
        int n = 0;
        if (in.fd[1] >= 0) fds[n++] = {in.fd[1], POLLOUT, 0};
        if (out.fd[0] >= 0) fds[n++] = {out.fd[0], POLLIN, 0};
        if (err.fd[0] >= 0) fds[n++] = {err.fd[0], POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        const int ready = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) break;
        for (int i = 0; i < n; ++i) {
            if (!fds[i].revents) continue;
            if (fds[i].fd == in.fd[1]) {
                const ssize_t w = ::write(in.fd[1], input.data() + written, input.size() - written);
                if (w > 0) written += static_cast<size_t>(w);
                // EPIPE: the program stopped reading; its exit status tells why.
                if ((w < 0 && errno != EAGAIN) || written == input.size()) in.close_write();
            } else {
                char buf[4096];
                const ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
                if (r > 0) {
                    (fds[i].fd == out.fd[0] ? result.out : result.err)
                        .append(buf, static_cast<size_t>(r));
                } else if (r == 0 || errno != EAGAIN) {
                    if (fds[i].fd == out.fd[0])
                        out.close_read();
                    else
                        err.close_read();
                }
            }
        }
    }
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    if (timed_out) result.err += "\n(timed out after " + std::to_string(timeout_seconds) + " s)";
    return result;
}

std::string describe_status(const ProcessResult& r) {
    if (!r.started) return "could not run: " + r.start_error;
    if (r.signal) return "killed by signal " + std::to_string(r.signal);
    return "exit status " + std::to_string(r.exit_code);
}

}  // namespace boxwarden::admin
