#include "galera_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "policyd_harness.h"

namespace boxwarden::galera_testing {

using policyd::testing::run_shell;

std::string cluster_dir() {
    return GALERA_TEST_DIR;
}

int node_port(int node) {
    std::ifstream in(cluster_dir() + "/node" + std::to_string(node) + "/port");
    int port = 0;
    in >> port;
    return port;
}

std::string host_list(const std::vector<int>& nodes) {
    std::string out;
    for (int n : nodes) {
        if (!out.empty()) out += ",";
        out += "127.0.0.1:" + std::to_string(node_port(n));
    }
    return out;
}

db::ConnectionParams node_params(int node, const std::string& database) {
    db::ConnectionParams p;
    p.host = "127.0.0.1";
    p.port = node_port(node);
    p.user = "root";
    p.database = database;
    p.connect_timeout = std::chrono::seconds(2);
    p.read_timeout = std::chrono::seconds(10);
    p.write_timeout = std::chrono::seconds(10);
    return p;
}

std::unique_ptr<db::Connection> connect_node(int node, const std::string& database) {
    return std::make_unique<db::Connection>(node_params(node, database));
}

int galera_sh(const std::string& args, std::string* output) {
    return run_shell(std::string(GALERA_SH) + " " + args.substr(0, args.find(' ')) + " " +
                         cluster_dir() +
                         (args.find(' ') == std::string::npos ? "" : args.substr(args.find(' '))),
                     output);
}

int node_pid(int node) {
    std::ifstream in(cluster_dir() + "/node" + std::to_string(node) + "/mysqld.pid");
    int pid = 0;
    in >> pid;
    return pid;
}

int boxwardenctl(const std::string& config_path, const std::string& args, std::string* output) {
    return run_shell(std::string(BOXWARDENCTL_PATH) + " --config " + config_path + " " + args,
                     output);
}

std::string write_cli_config(const std::string& dir, const std::string& database,
                             const std::string& hosts) {
    static std::atomic<int> counter{0};
    const std::string path = dir + "/cli-" + std::to_string(++counter) + ".conf";
    std::ofstream out(path);
    out << "db_hosts = " << hosts << "\n"
        << "db_name = " << database << "\n"
        << "db_user = root\n"
        << "sql_dir = " << GALERA_SQL_DIR << "\n";
    return path;
}

GaleraDatabase::GaleraDatabase() {
    static std::atomic<int> counter{0};
    name_ = "bw_galera_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    auto c = connect_node(1, "");
    c->execute_script_statement("DROP DATABASE IF EXISTS " + name_);
    c->execute_script_statement("CREATE DATABASE " + name_ +
                                " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    // Every node has it before a test connects there (DDL replicates, and a
    // node applies it a moment later).
    for (int node : {2, 3}) {
        auto other = connect_node(node, "");
        other->execute_script_statement("SET SESSION wsrep_sync_wait = 15");
        for (int i = 0; i < 200; ++i) {
            if (other
                    ->query("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE "
                            "schema_name = ?",
                            {name_})[0]
                    .i64("n") == 1)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
}

GaleraDatabase::~GaleraDatabase() {
    try {
        for (int node : {1, 2, 3}) {
            try {
                connect_node(node, "")->execute_script_statement("DROP DATABASE IF EXISTS " +
                                                                 name_);
                return;
            } catch (const std::exception&) {
            }
        }
    } catch (...) {
    }
}

void GaleraDatabase::migrate() {
    const std::string dir = policyd::testing::test_dir("migrate-" + name_);
    std::string out;
    const int rc = boxwardenctl(write_cli_config(dir, name_, host_list({1})), "db migrate", &out);
    ASSERT_EQ(rc, 0) << out;
}

std::uint64_t admin_sql(db::Connection& conn, const std::string& sql,
                        const std::vector<db::Param>& params) {
    thread_local std::minstd_rand rng{std::random_device{}()};
    for (int attempt = 1;; ++attempt) {
        try {
            return conn.execute(sql, params);
        } catch (const db::TemporaryFailure& e) {
            if (e.code() != 1213 || attempt >= 100) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 20));
        }
    }
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * values.size()));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

}  // namespace boxwarden::galera_testing
