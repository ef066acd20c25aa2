#include "private_mariadb.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace boxwarden::testing {

namespace {

pid_t read_pid(const std::filesystem::path& file) {
    std::ifstream in(file);
    pid_t pid = -1;
    in >> pid;
    return pid;
}

// Gone, or a zombie nobody has reaped yet (its files and locks are released).
bool process_gone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] == 'Z';
}

std::string user_name() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "root";
}

}  // namespace

PrivateMariadb::PrivateMariadb(std::filesystem::path dir) : dir_(std::move(dir)) {
    // Durable commits (MariaDB's default): these tests SIGKILL the server
    // and count rows, and with =2 the last commits before the kill are lost
    // by the server itself (seen: 42 of 2000), which no client can repair.
    const std::string cmd = "BOXWARDEN_MARIADB_FLUSH_AT_COMMIT=1 " + std::string(MARIADB_SH) +
                            " start '" + dir_.string() + "' >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot start MariaDB: " + cmd);
}

PrivateMariadb::~PrivateMariadb() {
    if (child_ > 0) {
        ::kill(child_, SIGTERM);
        int status = 0;
        ::waitpid(child_, &status, 0);
    } else {
        const std::string cmd =
            std::string(MARIADB_SH) + " stop '" + dir_.string() + "' >/dev/null";
        // A destructor cannot fail the test; say so if the server stays up.
        if (std::system(cmd.c_str()) != 0)
            std::fprintf(stderr, "warning: could not stop MariaDB in %s\n", dir_.c_str());
    }
}

db::ConnectionParams PrivateMariadb::params(const std::string& database) const {
    db::ConnectionParams p;
    p.socket = socket();
    p.user = "root";
    p.database = database;
    p.connect_timeout = std::chrono::seconds(2);
    p.read_timeout = std::chrono::seconds(10);
    p.write_timeout = std::chrono::seconds(10);
    return p;
}

void PrivateMariadb::kill_hard() {
    const pid_t pid = child_ > 0 ? child_ : read_pid(dir_ / "mysqld.pid");
    if (pid <= 0) throw std::runtime_error("no MariaDB pid in " + dir_.string());
    ::kill(pid, SIGKILL);
    if (child_ > 0) {
        int status = 0;
        ::waitpid(child_, &status, 0);
        child_ = -1;
    }
    for (int i = 0; i < 300 && !process_gone(pid); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!process_gone(pid)) throw std::runtime_error("MariaDB survived SIGKILL");
}

void PrivateMariadb::restart() {
    const std::string d = dir_.string();
    std::vector<std::string> args = {"mariadbd",
                                     "--no-defaults",
                                     "--datadir=" + d + "/data",
                                     "--socket=" + d + "/mysqld.sock",
                                     "--skip-networking",
                                     "--user=" + user_name(),
                                     "--pid-file=" + d + "/mysqld.pid",
                                     "--log-error=" + d + "/error.log",
                                     "--default-time-zone=+00:00",
                                     "--character-set-server=utf8mb4",
                                     "--collation-server=utf8mb4_unicode_ci",
                                     "--innodb-flush-log-at-trx-commit=1",
                                     "--innodb-buffer-pool-size=256M",
                                     "--max-connections=1000"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawnp(&child_, "mariadbd", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot spawn mariadbd");
    wait_ready();
}

void PrivateMariadb::wait_ready() {
    const std::string cmd =
        "mariadb-admin --no-defaults -S '" + socket() + "' -uroot ping >/dev/null 2>&1";
    for (int i = 0; i < 600; ++i) {
        if (std::system(cmd.c_str()) == 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("MariaDB did not come back in " + dir_.string());
}

}  // namespace boxwarden::testing
