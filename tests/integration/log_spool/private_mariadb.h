#pragma once
// A MariaDB of the test's own (tests/harness/mariadb.sh start), which the
// test may SIGKILL and restart on the same datadir.
#include <sys/types.h>

#include <filesystem>
#include <string>

#include "boxwarden/db.h"

namespace boxwarden::testing {

class PrivateMariadb {
  public:
    explicit PrivateMariadb(std::filesystem::path dir);  // starts it
    ~PrivateMariadb();                                   // stops it
    PrivateMariadb(const PrivateMariadb&) = delete;
    PrivateMariadb& operator=(const PrivateMariadb&) = delete;

    std::string socket() const { return (dir_ / "mysqld.sock").string(); }
    db::ConnectionParams params(const std::string& database) const;
    void kill_hard();  // SIGKILL, waits until the process is gone
    void restart();    // the same datadir and options as mariadb.sh

  private:
    void wait_ready();
    std::filesystem::path dir_;
    pid_t child_ = -1;  // set when restart() started it (we reap it)
};

}  // namespace boxwarden::testing
