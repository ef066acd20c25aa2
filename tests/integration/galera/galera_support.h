#pragma once
// Test support for the Galera tests: the shared private cluster that the
// ctest fixture "galera" started (tests/harness/galera.sh), fresh migrated
// databases on it, boxwardenctl runs and latency statistics.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "boxwarden/db.h"

namespace boxwarden::galera_testing {

std::string cluster_dir();
int node_port(int node);  // SQL port on 127.0.0.1
// "127.0.0.1:P1,127.0.0.1:P3" for nodes {1, 3}: a db_hosts value.
std::string host_list(const std::vector<int>& nodes);
db::ConnectionParams node_params(int node, const std::string& database);
std::unique_ptr<db::Connection> connect_node(int node, const std::string& database);
// tests/harness/galera.sh with these arguments (after the cluster folder).
int galera_sh(const std::string& args, std::string* output = nullptr);
// The PID of node N's mariadbd.
int node_pid(int node);

// Runs boxwardenctl; returns its exit status, output = stdout + stderr.
int boxwardenctl(const std::string& config_path, const std::string& args,
                 std::string* output = nullptr);
// A boxwarden.conf for boxwardenctl / policyd against these hosts.
std::string write_cli_config(const std::string& dir, const std::string& database,
                             const std::string& hosts);

// A uniquely named, empty database on the cluster (dropped on destruction);
// migrate() runs `boxwardenctl db migrate` against node 1.
class GaleraDatabase {
  public:
    GaleraDatabase();
    ~GaleraDatabase();
    const std::string& name() const { return name_; }
    void migrate();
    std::unique_ptr<db::Connection> connect(int node) const { return connect_node(node, name_); }

  private:
    std::string name_;
};

// Runs a plain SQL statement in autocommit mode as an admin would, running
// it again when the cluster reports a certification conflict (1213), as the
// mariadb client's user must; returns the affected rows.
std::uint64_t admin_sql(db::Connection& conn, const std::string& sql,
                        const std::vector<db::Param>& params = {});

// p in [0, 100]; nearest-rank on a copy.
double percentile(std::vector<double> values, double p);

}  // namespace boxwarden::galera_testing
