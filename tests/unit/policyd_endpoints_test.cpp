// Listening endpoints: loopback and unix sockets only.
#include <gtest/gtest.h>

#include "daemon_options.h"
#include "endpoints.h"

namespace boxwarden::policyd {
namespace {

TEST(PolicydEndpoints, ParsesUnixAndLoopbackInet) {
    auto e =
        parse_endpoints(" unix:/run/boxwarden/policy.sock , inet:127.0.0.1:10040,inet:localhost:1");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].kind, Endpoint::Kind::Unix);
    EXPECT_EQ(e[0].path, "/run/boxwarden/policy.sock");
    EXPECT_EQ(e[1].kind, Endpoint::Kind::Inet);
    EXPECT_EQ(e[1].port, 10040);
    EXPECT_EQ(e[1].text(), "inet:127.0.0.1:10040");
    EXPECT_EQ(e[2].host, "127.0.0.1");
}

TEST(PolicydEndpoints, RefusesNonLoopbackAndBadForms) {
    for (const char* bad :
         {"inet:0.0.0.0:10040", "inet:192.168.1.1:25", "inet:127.0.0.1:0", "inet:127.0.0.1:70000",
          "inet:127.0.0.1", "unix:relative.sock", "tcp:127.0.0.1:1", "", " , "})
        EXPECT_THROW(parse_endpoints(bad), EndpointError) << bad;
}

TEST(PolicydDaemonOptions, CommandLine) {
    const char* argv[] = {"boxwarden-policyd", "--config", "/tmp/x.conf", "--foreground",
                          "--check-config"};
    auto cl = parse_command_line(5, const_cast<char**>(argv));
    EXPECT_EQ(cl.config_path, "/tmp/x.conf");
    EXPECT_TRUE(cl.foreground);
    EXPECT_TRUE(cl.check_config);
    EXPECT_FALSE(cl.version);
    const char* version[] = {"boxwarden-policyd", "--version"};
    EXPECT_TRUE(parse_command_line(2, const_cast<char**>(version)).version);
    const char* bad[] = {"boxwarden-policyd", "--bogus"};
    EXPECT_THROW(parse_command_line(2, const_cast<char**>(bad)), std::invalid_argument);
    const char* missing[] = {"boxwarden-policyd", "--config"};
    EXPECT_THROW(parse_command_line(2, const_cast<char**>(missing)), std::invalid_argument);
}

TEST(PolicydDaemonOptions, ValidatesTheDaemonKeys) {
    auto ok = validate_daemon_config(Config::parse(
        "policy_listen = unix:/tmp/p.sock, inet:127.0.0.1:1\nquery_socket = /tmp/q.sock\n", "t"));
    EXPECT_EQ(ok.policy_endpoints.size(), 2u);
    EXPECT_EQ(ok.query_endpoint.path, "/tmp/q.sock");
    EXPECT_EQ(ok.query_socket_mode, 0660u);
    EXPECT_THROW(validate_daemon_config(Config::parse("policy_listen = inet:10.0.0.1:1\n", "t")),
                 ConfigError);
    EXPECT_THROW(validate_daemon_config(Config::parse("query_socket = q.sock\n", "t")),
                 ConfigError);
    EXPECT_THROW(validate_daemon_config(Config::parse(
                     "policy_listen = unix:/tmp/a.sock\nquery_socket = /tmp/a.sock\n", "t")),
                 ConfigError);
    EXPECT_THROW(validate_daemon_config(Config::parse("query_socket_mode = 999\n", "t")),
                 ConfigError);
}

}  // namespace
}  // namespace boxwarden::policyd
