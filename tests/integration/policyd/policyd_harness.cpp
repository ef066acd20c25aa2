#include "policyd_harness.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace boxwarden::policyd::testing {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string test_dir(const std::string& name) {
    const fs::path dir = fs::path(POLICYD_TEST_WORK_DIR) / name;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    return dir.string();
}

int free_port() {
    // The one allocator of all harnesses: below the ephemeral range and
    // reserved against parallel tests (bind to port 0 is neither).
    std::string out;
    const int status = run_shell(std::string("python3 ") + FREE_PORT_PY, &out);
    const int port = std::atoi(out.c_str());
    if (status != 0 || port <= 0 || port > 65535)
        throw std::runtime_error("free_port.py failed: " + out);
    return port;
}

int run_shell(const std::string& command, std::string* output) {
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return -1;
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(step);
    }
}

// ---- Client -----------------------------------------------------------------

namespace {

// Generous limits: a test may provoke any reply size the daemon can write.
constexpr AttrLimits kReplyLimits{1 << 20, 4096, 8 << 20};

}  // namespace

Client Client::connect_unix(const std::string& path) {
    client::Connection conn("unix:" + path, AttrEncoding::Raw, kReplyLimits);
    conn.connect(client::deadline_in(std::chrono::seconds(10)));
    return Client(std::move(conn));
}

bool Client::send(std::string_view bytes) {
    return conn_.send(bytes, client::deadline_in(std::chrono::seconds(10))).ok();
}

std::optional<std::string> Client::read_reply(std::chrono::milliseconds timeout) {
    client::ReplyResult r = conn_.read_reply(client::deadline_in(timeout));
    if (!r.io.ok()) return std::nullopt;
    // Raw in, Raw out: the bytes as the daemon wrote them.
    return encode_attributes(r.reply.attributes, AttrEncoding::Raw);
}

bool Client::wait_closed(std::chrono::milliseconds timeout) {
    return conn_.wait_closed(client::deadline_in(timeout));
}

std::map<std::string, std::string> parse_reply(const std::string& reply) {
    std::map<std::string, std::string> out;
    std::istringstream in(reply);
    std::string line;
    while (std::getline(in, line)) {
        const size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        out.emplace(line.substr(0, eq), line.substr(eq + 1));
    }
    return out;
}

std::string rcpt_request(const std::string& recipient, const std::string& sender,
                         const std::string& sasl_username) {
    std::string r =
        "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
        "client_address=127.0.0.1\nclient_name=localhost\nhelo_name=test\nqueue_id=\n"
        "instance=1a2b.3c4d.5e6f.0\nsender=" +
        sender + "\nrecipient=" + recipient + "\n";
    if (!sasl_username.empty()) r += "sasl_method=PLAIN\nsasl_username=" + sasl_username + "\n";
    return r + "\n";
}

// ---- PolicydProcess -----------------------------------------------------------

PolicydProcess::PolicydProcess(Options options) : opt_(std::move(options)) {
    std::ofstream conf(config_path());
    conf << "db_socket = " << opt_.db_socket << "\n"
         << "db_name = " << opt_.db_name << "\n"
         << "db_user = root\n"
         << "policy_listen = unix:" << policy_socket() << opt_.extra_policy_listen << "\n"
         << "query_socket = " << query_socket() << "\n"
         << "spool_dir = " << opt_.dir << "/spool\n"
         << "run_user = " << opt_.run_user << "\n"
         << "policy_socket_group = " << opt_.policy_socket_group << "\n"
         << "query_socket_group = " << opt_.query_socket_group << "\n"
         << "policy_socket_mode = " << opt_.socket_mode << "\n"
         << "query_socket_mode = " << opt_.socket_mode << "\n"
         << "policy_allowed_users = " << opt_.policy_allowed_users << "\n"
         << "query_allowed_users = " << opt_.query_allowed_users << "\n"
         << "full_reload_interval = " << opt_.full_reload_interval << "\n"
         << "refresh_interval = " << opt_.refresh_interval << "\n"
         << "cutoff = " << opt_.cutoff << "\n"
         << "idle_timeout = " << opt_.idle_timeout << "\n"
         << opt_.extra_config;
}

PolicydProcess::~PolicydProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool PolicydProcess::start(bool wait_synced) {
    pid_ = ::fork();
    if (pid_ == 0) {
        const int log = ::open((opt_.dir + "/policyd.log").c_str(),
                               O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        const std::string conf = config_path();
        ::execl(POLICYD_PATH, POLICYD_PATH, "--config", conf.c_str(), "--foreground",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return wait_until([&] {
               if (!running()) return true;
               auto r = query("request=status\n\n");
               return !r.empty() && (!wait_synced || r["cache_synced"] == "1");
           }) &&
           running();
}

bool PolicydProcess::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        return false;
    }
    return true;
}

void PolicydProcess::signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

int PolicydProcess::stop(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, SIGTERM);
    wait_until([&] { return !running(); }, timeout);
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
    }
    return exit_status_;
}

std::string PolicydProcess::log() const {
    std::ifstream in(opt_.dir + "/policyd.log");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::map<std::string, std::string> PolicydProcess::query(const std::string& request) {
    Client c = Client::connect_unix(query_socket());
    if (!c.connected() || !c.send(request)) return {};
    auto reply = c.read_reply();
    return reply ? parse_reply(*reply) : std::map<std::string, std::string>{};
}

std::string PolicydProcess::policy_action(const std::string& request) {
    Client c = Client::connect_unix(policy_socket());
    if (!c.connected() || !c.send(request)) return "<no connection>";
    auto reply = c.read_reply();
    if (!reply) return "<closed>";
    return parse_reply(*reply)["action"];
}

// ---- PrivateMariadb -----------------------------------------------------------

PrivateMariadb::~PrivateMariadb() {
    stop();
}

bool PrivateMariadb::create_and_start() {
    return run_shell(std::string(MARIADB_SH) + " start " + dir_) == 0;
}

bool PrivateMariadb::stop() {
    return run_shell(std::string(MARIADB_SH) + " stop " + dir_) == 0;
}

bool PrivateMariadb::restart() {
    // The same server options as tests/harness/mariadb.sh, on the kept datadir.
    const std::string cmd =
        "mariadbd --no-defaults --datadir=" + dir_ + "/data --tmpdir=" + dir_ +
        "/tmp --socket=" + socket() + " --skip-networking --user=$(id -un) --pid-file=" + dir_ +
        "/mysqld.pid --log-error=" + dir_ +
        "/error.log --default-time-zone=+00:00 --character-set-server=utf8mb4 "
        "--collation-server=utf8mb4_unicode_ci --innodb-flush-log-at-trx-commit=2 "
        "--max-connections=1000 >/dev/null 2>&1 &";
    if (run_shell(cmd) != 0) return false;
    return wait_until(
        [&] {
            return run_shell("mariadb-admin --no-defaults -S " + socket() + " -uroot ping") == 0;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(100));
}

int mariadb_exec(const std::string& socket, const std::string& db, const std::string& sql,
                 std::string* output) {
    const std::string file =
        std::string(POLICYD_TEST_WORK_DIR) + "/sql-" + std::to_string(::getpid()) + ".sql";
    {
        std::ofstream out(file);
        out << sql << "\n";
    }
    const int rc = run_shell("mariadb --no-defaults --default-character-set=utf8mb4 -N -S " +
                                 socket + " -uroot " + db + " < " + file,
                             output);
    ::unlink(file.c_str());
    return rc;
}

}  // namespace boxwarden::policyd::testing
