// Docs and registry in step (the idea of Postfix's check-postconf-undocumented):
// every key of core/generic/src/config_keys.cpp has a row in the key table of
// docs/configuration.md, and every row there is a key of the registry. Both
// files are read at test time, so keys added by anyone are checked.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "boxwarden/config.h"

namespace boxwarden {
namespace {

std::string read_source_file(const std::string& relative) {
    const std::string path = std::string(BOXWARDEN_SOURCE_DIR) + "/" + relative;
    std::ifstream in(path);
    EXPECT_TRUE(in) << "cannot read " << path;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Keys named by ConfigKey{"name", ...} in the registry's source.
std::set<std::string> registry_keys_in_source() {
    const std::string source = read_source_file("core/generic/src/config_keys.cpp");
    const std::regex key(R"re(ConfigKey\s*\{\s*"([^"]+)")re");
    std::set<std::string> keys;
    for (auto it = std::sregex_iterator(source.begin(), source.end(), key);
         it != std::sregex_iterator(); ++it) {
        keys.insert((*it)[1]);
    }
    return keys;
}

// First cells of the rows of the table headed "| key | type | ...".
std::set<std::string> documented_keys() {
    std::istringstream doc(read_source_file("docs/configuration.md"));
    const std::regex row(R"re(^\|\s*`([^`]+)`\s*\|)re");
    std::set<std::string> keys;
    bool in_table = false;
    for (std::string line; std::getline(doc, line);) {
        if (line.rfind("| key | type |", 0) == 0) {
            in_table = true;
            continue;
        }
        if (!in_table) continue;
        if (line.empty() || line[0] != '|') {
            in_table = false;
            continue;
        }
        std::smatch m;
        if (std::regex_search(line, m, row)) keys.insert(m[1]);
    }
    return keys;
}

TEST(ConfigDocs, EveryRegistryKeyIsDocumented) {
    const std::set<std::string> documented = documented_keys();
    const std::set<std::string> registry = registry_keys_in_source();
    ASSERT_GT(registry.size(), 20u) << "the registry source was not parsed";
    for (const std::string& key : registry) {
        EXPECT_TRUE(documented.count(key)) << "key '" << key
                                           << "' of core/generic/src/config_keys.cpp is missing "
                                              "from the key table of docs/configuration.md";
    }
}

TEST(ConfigDocs, EveryDocumentedKeyIsInTheRegistry) {
    const std::set<std::string> documented = documented_keys();
    const std::set<std::string> registry = registry_keys_in_source();
    ASSERT_GT(documented.size(), 20u) << "the key table of docs/configuration.md was not found";
    for (const std::string& key : documented) {
        EXPECT_TRUE(registry.count(key))
            << "docs/configuration.md documents key '" << key
            << "', which core/generic/src/config_keys.cpp does not define";
    }
}

TEST(ConfigDocs, TheSourceParseMatchesTheCompiledRegistry) {
    // Guards the source parser: it finds exactly the keys the program knows.
    std::set<std::string> compiled;
    for (const ConfigKey& key : known_config_keys()) compiled.insert(std::string(key.name));
    EXPECT_EQ(registry_keys_in_source(), compiled);
}

}  // namespace
}  // namespace boxwarden
