#include "access_fixture.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "boxwarden/sql_script.h"

namespace boxwarden::testing {

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const std::filesystem::path& p, const std::string& content, unsigned mode) {
    std::filesystem::remove(p);
    {
        std::ofstream out(p, std::ios::binary);
        out << content;
    }
    ::chmod(p.c_str(), mode);
}

namespace {

int unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

}  // namespace

void DovecotAccess::SetUp() {
    std::signal(SIGPIPE, SIG_IGN);
    // Dovecot's and Postfix's masters must start as root.
    if (::geteuid() != 0) GTEST_SKIP() << "a private Dovecot needs root";
    scratch = std::make_unique<ScratchDatabase>();
    db = scratch->connect();
    // The shipped grant script, with a role prefix of this database (roles
    // are server-wide) and the Dovecot user it creates.
    const std::string script =
        read_text(std::string(BOXWARDEN_SOURCE_DIR) + "/sql/grants/dovecot-auth-grants.sql");
    ASSERT_FALSE(script.empty()) << "sql/grants/dovecot-auth-grants.sql is missing";
    db->execute_script_statement("SET @bw_role_prefix = '" + scratch->name() +
                                 "_', @bw_dovecot_user = '" + db_user() +
                                 "', @bw_dovecot_password = '" + kDbPassword + "'");
    for (const auto& st : split_sql_script(script)) db->execute_script_statement(st.text);
    // Unix socket paths are limited to 107 bytes: short folder names.
    static int counter = 0;
    const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(counter++);
    dovecot_dir_ = std::filesystem::path(BOXWARDEN_BINARY_DIR) / ("da-" + tag);
    postfix_dir_ = std::filesystem::path(BOXWARDEN_BINARY_DIR) / ("dp-" + tag);
}

void DovecotAccess::TearDown() {
    if (postfix_started_) {
        cli::run_process({DOVECOT_ACCESS_POSTFIX_SH, "stop", postfix_dir_.string()}, {}, 60);
        if (!HasFailure()) std::filesystem::remove_all(postfix_dir_);
    }
    stop_dovecot();
    if (!HasFailure() && !dovecot_dir_.empty()) std::filesystem::remove_all(dovecot_dir_);
    if (db) {
        try {
            db->execute_script_statement("DROP USER IF EXISTS '" + db_user() + "'@'localhost'");
            db->execute_script_statement("DROP ROLE IF EXISTS `" + role() + "`");
        } catch (const std::exception&) {
        }
    }
    db.reset();
    scratch.reset();
}

std::string DovecotAccess::hash(const std::string& scheme, const std::string& password) {
    auto r = cli::run_process({"/usr/bin/doveadm", "pw", "-s", scheme, "-p", password}, {}, 60);
    EXPECT_TRUE(r.ok()) << r.err;
    return trimmed(r.out);
}

void DovecotAccess::seed() {
    db->execute("INSERT INTO domain (name) VALUES ('example.test')");
    db->execute("CALL create_mailbox('info@example.test')");
    db->execute("CALL create_mailbox_with('old@example.test', NULL, 0, 0)");
    db->execute("UPDATE mailbox SET password_hash = ? WHERE address = 'info@example.test'",
                {hash("SHA512-CRYPT", "InfoPass-1")});
    db->execute("UPDATE mailbox SET password_hash = ? WHERE address = 'old@example.test'",
                {hash("SHA512-CRYPT", "OldPass-1")});
    db->execute(
        "INSERT INTO user_account (login, display_name, password_hash) VALUES ('anna', 'Anna', ?), "
        "('bob', 'Bob', ?)",
        {hash("ARGON2ID", "AnnaPass-1"), hash("SHA512-CRYPT", "BobPass-1")});
    db->execute("CALL assign_user('info@example.test', 'anna')");
}

void DovecotAccess::start_dovecot(const std::string& module, const std::string& policyd_socket,
                                  const std::string& plugin_lines) {
    std::vector<std::string> argv{DOVECOT_AUTH_SH,     "start",         dovecot_dir_.string(),
                                  test_mysql_socket(), scratch->name(), db_user(),
                                  kDbPassword};
    if (!module.empty()) {
        argv.push_back(module);
        argv.push_back(policyd_socket);
        argv.push_back(plugin_lines);
    }
    auto r = cli::run_process(argv, {}, 60);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    dovecot_started_ = true;
    imap_port_ = std::stoi(read_text(dovecot_dir_ / "imap_port"));
    pop3_port_ = std::stoi(read_text(dovecot_dir_ / "pop3_port"));
    lmtp_port_ = std::stoi(read_text(dovecot_dir_ / "lmtp_port"));
}

void DovecotAccess::stop_dovecot() {
    if (!dovecot_started_) return;
    cli::run_process({DOVECOT_AUTH_SH, "stop", dovecot_dir_.string()}, {}, 60);
    dovecot_started_ = false;
}

void DovecotAccess::start_postfix() {
    smtp_port_ = unused_port();
    const std::string extra =
        "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\n"
        "smtpd_sasl_path = " +
        (dovecot_dir_ / "auth-postfix").string() +
        "\nsmtpd_relay_restrictions = permit_sasl_authenticated, reject\n"
        "smtpd_recipient_restrictions = permit_sasl_authenticated, reject\n"
        "mynetworks = 192.0.2.0/32\n";
    // No mynetworks for 127.0.0.1: relaying needs SASL, as on submission.
    auto r = cli::run_process({"/usr/bin/env", "POSTFIX_EXTRA=" + extra, DOVECOT_ACCESS_POSTFIX_SH,
                               "start", postfix_dir_.string(), std::to_string(smtp_port_)},
                              {}, 60);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    postfix_started_ = true;
}

cli::ProcessResult DovecotAccess::client(const std::vector<std::string>& args, int timeout) {
    std::vector<std::string> argv{"/usr/bin/python3", DOVECOT_ACCESS_CLIENT};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = cli::run_process(argv, {}, timeout);
    EXPECT_TRUE(r.started) << r.start_error;
    // 2 = neither OK nor a refused login: a broken test set-up.
    EXPECT_NE(r.exit_code, 2) << r.out << r.err << dovecot_log();
    return r;
}

bool DovecotAccess::imap_login(const std::string& user, const std::string& password) {
    return client({"imap-login", std::to_string(imap_port_), user, password}).ok();
}

bool DovecotAccess::pop3_login(const std::string& user, const std::string& password) {
    return client({"pop3-login", std::to_string(pop3_port_), user, password}).ok();
}

bool DovecotAccess::curl_imap_login(const std::string& user, const std::string& password) {
    // Lists the folders: needs a successful LOGIN. 67 = login denied.
    auto r = cli::run_process(
        {"/usr/bin/curl", "-s", "-S", "--max-time", "30", "-u", user + ":" + password,
         "imap://127.0.0.1:" + std::to_string(imap_port_) + "/"},
        {}, 60);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 67) << r.exit_code << r.err;
    return r.ok() && r.out.find("INBOX") != std::string::npos;
}

bool DovecotAccess::smtp_send(const std::string& user, const std::string& password,
                              const std::string& from, const std::string& to) {
    auto r =
        cli::run_process({"/usr/bin/swaks", "--server", "127.0.0.1:" + std::to_string(smtp_port_),
                          "--auth", "PLAIN", "--auth-user", user, "--auth-password", password,
                          "--from", from, "--to", to, "--timeout", "30"},
                         {}, 90);
    last_swaks_ = r.out + r.err;
    return r.ok() && r.out.find("250 2.0.0 Ok: queued") != std::string::npos;
}

bool DovecotAccess::smtp_auth(const std::string& user, const std::string& password) {
    auto r =
        cli::run_process({"/usr/bin/swaks", "--server", "127.0.0.1:" + std::to_string(smtp_port_),
                          "--auth", "PLAIN", "--auth-user", user, "--auth-password", password,
                          "--quit-after", "AUTH", "--timeout", "30"},
                         {}, 90);
    last_swaks_ = r.out + r.err;
    const bool ok =
        r.ok() && r.out.find("235 2.7.0 Authentication successful") != std::string::npos;
    // A rare failure: the smtpd took the connection and never greeted
    // (cause not found yet); keep what the processes were doing.
    if (!ok) last_swaks_ += "\n--- postfix state ---\n" + postfix_state();
    return ok;
}

std::string DovecotAccess::lmtp_deliver(const std::string& to, const std::string& message_id) {
    auto r = cli::run_process(
        {"/usr/bin/swaks", "--protocol", "LMTP", "--server",
         "127.0.0.1:" + std::to_string(lmtp_port_), "--from", "sender@elsewhere.example", "--to",
         to, "--header", "Message-Id: " + message_id, "--header", "Subject: test", "--timeout",
         "30"},
        {}, 90);
    // The last server line ("<~ ...") of the dialogue before QUIT.
    std::string last;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("<- ", 0) == 0 || line.rfind("<** ", 0) == 0) {
            if (line.find(" 221 ") != std::string::npos) continue;
            last = line;
        }
    }
    return last;
}

std::string DovecotAccess::postfix_state() const {
    const std::string port = std::to_string(smtp_port_);
    const std::string script = "ss -tanp | grep ':" + port +
                               " '; ps -ef | grep -E 'postfix|smtpd|postlog' | grep -v grep; " +
                               "for p in $(pgrep -f 'smtpd -n 127.0.0.1:" + port +
                               "') $(pgrep postlogd); do " +
                               "echo \"pid $p wchan $(cat /proc/$p/wchan)\"; ls -l /proc/$p/fd; " +
                               "timeout 2 strace -p $p 2>&1 | head -5; done; cat '" +
                               (postfix_dir_ / "maillog").string() + "'";
    auto r = cli::run_process({"/bin/sh", "-c", script}, {}, 60);
    return r.out + r.err;
}

cli::ProcessResult DovecotAccess::ctl(const std::vector<std::string>& args,
                                      const std::string& input) {
    const auto work = dovecot_dir_ / "ctl";
    if (!std::filesystem::exists(work / "boxwarden.conf")) {
        std::filesystem::create_directories(work);
        std::string key(32, '\0');
        std::ifstream("/dev/urandom", std::ios::binary).read(key.data(), 32);
        write_text(work / "secret.key", key, 0600);
        write_text(work / "boxwarden.conf",
                   "db_socket = " + test_mysql_socket() + "\ndb_user = root\ndb_name = " +
                       scratch->name() + "\nsql_dir = " + BOXWARDEN_SOURCE_DIR +
                       "/sql\nsecret_key_file = " + (work / "secret.key").string() +
                       "\ndoveadm_path = /usr/bin/doveadm\ndoveadm_config = " +
                       (dovecot_dir_ / "dovecot.conf").string() + "\n",
                   0600);
    }
    std::vector<std::string> argv{BOXWARDENCTL_PATH, "--config",
                                  (work / "boxwarden.conf").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return cli::run_process(argv, input, 120);
}

}  // namespace boxwarden::testing
