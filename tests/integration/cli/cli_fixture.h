#pragma once
// Runs the real boxwardenctl against a scratch database through a generated
// configuration file, and reads the database directly to check the result.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process.h"
#include "test_database.h"

namespace boxwarden::testing {

struct CliRun {
    int code = -1;
    std::string out;
    std::string err;
};

std::ostream& operator<<(std::ostream& os, const CliRun& r);

class CliTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    // A private folder for this test (config, key, captures), under the build tree.
    const std::filesystem::path& dir() const { return dir_; }
    // (Re)writes the configuration file: the defaults below plus `extra`
    // lines ("key = value"), which replace defaults of the same key.
    void write_config(const std::map<std::string, std::string>& extra = {});
    std::string config_path() const { return (dir_ / "boxwarden.conf").string(); }

    // boxwardenctl --config <ours> args... with `input` on stdin.
    CliRun ctl(const std::vector<std::string>& args, const std::string& input = {});
    // The same without --config (tests of global options).
    CliRun ctl_raw(const std::vector<std::string>& args, const std::string& input = {});

    std::int64_t count(const std::string& sql, const std::vector<db::Param>& params = {});
    std::optional<std::string> value(const std::string& sql,
                                     const std::vector<db::Param>& params = {});
    // Checks `text` is valid JSON (python3 -m json.tool).
    bool valid_json(const std::string& text);

    // Standard data: domain example.de, mailbox info@example.de, user anna.
    void add_basic_data();

    std::unique_ptr<ScratchDatabase> scratch;
    std::unique_ptr<db::Connection> db;

  private:
    std::filesystem::path dir_;
};

// Creates a file with the given mode.
void write_file(const std::filesystem::path& p, const std::string& content, unsigned mode = 0600);
std::string read_file(const std::filesystem::path& p);

}  // namespace boxwarden::testing
