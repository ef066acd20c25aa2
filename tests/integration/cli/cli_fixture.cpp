#include "cli_fixture.h"

#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <sstream>

namespace boxwarden::testing {

std::ostream& operator<<(std::ostream& os, const CliRun& r) {
    return os << "exit " << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

void write_file(const std::filesystem::path& p, const std::string& content, unsigned mode) {
    std::filesystem::remove(p);
    {
        std::ofstream out(p, std::ios::binary);
        out << content;
    }
    ::chmod(p.c_str(), mode);
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void CliTest::SetUp() {
    std::signal(SIGPIPE, SIG_IGN);
    scratch = std::make_unique<ScratchDatabase>();
    db = scratch->connect();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(BOXWARDEN_BINARY_DIR) / "test-cli" /
           (std::string(info->test_suite_name()) + "." + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // A fresh 32-byte key, mode 0640 as the package creates it.
    std::string key(32, '\0');
    std::ifstream rnd("/dev/urandom", std::ios::binary);
    rnd.read(key.data(), 32);
    write_file(dir_ / "secret.key", key, 0640);
    write_config();
}

void CliTest::TearDown() {
    db.reset();
    scratch.reset();
}

void CliTest::write_config(const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> cfg{
        {"db_socket", test_mysql_socket()},
        {"db_user", "root"},
        {"db_name", scratch->name()},
        {"db_read_timeout", "30s"},
        {"sql_dir", std::string(BOXWARDEN_SOURCE_DIR) + "/sql"},
        {"secret_key_file", (dir_ / "secret.key").string()},
        {"doveadm_path", (dir_ / "no-doveadm").string()},  // Dovecot absent unless a test says so
        {"sendmail_path", (dir_ / "no-sendmail").string()},
        {"imap_host", "imap.example.de"},
        {"imap_port", "993"},
        {"imap_security", "ssl"},
        {"pop3_host", "pop.example.de"},
        {"smtp_host", "smtp.example.de"},
        {"smtp_port", "587"},
        {"smtp_security", "starttls"},
    };
    for (const auto& [k, v] : extra) cfg[k] = v;
    std::string text = "# written by the boxwardenctl integration tests\n";
    for (const auto& [k, v] : cfg) text += k + " = " + v + "\n";
    write_file(config_path(), text, 0600);
}

CliRun CliTest::ctl_raw(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{BOXWARDENCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = cli::run_process(argv, input, 120);
    EXPECT_TRUE(r.started) << r.start_error;
    EXPECT_EQ(r.signal, 0) << "boxwardenctl crashed\n" << r.err;
    return {r.signal ? 128 + r.signal : r.exit_code, r.out, r.err};
}

CliRun CliTest::ctl(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{"--config", config_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return ctl_raw(argv, input);
}

std::int64_t CliTest::count(const std::string& sql, const std::vector<db::Param>& params) {
    auto rows = db->query(sql, params);
    return rows.empty() ? 0 : rows[0].i64("n");
}

std::optional<std::string> CliTest::value(const std::string& sql,
                                          const std::vector<db::Param>& params) {
    auto rows = db->query(sql, params);
    if (rows.empty()) return std::nullopt;
    return rows[0].at(0);
}

bool CliTest::valid_json(const std::string& text) {
    auto r = cli::run_process({"/usr/bin/python3", "-c", "import json,sys; json.load(sys.stdin)"},
                              text, 30);
    return r.ok();
}

void CliTest::add_basic_data() {
    db->execute("INSERT INTO domain (name) VALUES ('example.de')");
    db->execute("CALL create_mailbox('info@example.de')");
    db->execute("INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna Schmidt')");
}

}  // namespace boxwarden::testing
