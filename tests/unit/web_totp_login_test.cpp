// boxwarden-web's second login step (what a half-logged-in session may
// reach, the log line of a wrong code) and the trusted-proxy client address.
#include <gtest/gtest.h>

#include <regex>

#include "client_address.h"
#include "totp_login.h"

namespace boxwarden::web {
namespace {

TEST(WebTotpLogin, StepAfterThePassword) {
    EXPECT_EQ(step_after_password(true, false), "totp");
    EXPECT_EQ(step_after_password(true, true), "totp");
    EXPECT_EQ(step_after_password(false, true), "enrol");
    EXPECT_EQ(step_after_password(false, false), "");
    EXPECT_EQ(pending_step_path("totp"), "/login/totp");
    EXPECT_EQ(pending_step_path("enrol"), "/login/enrol");
}

TEST(WebTotpLogin, APendingSessionReachesOnlyItsStepLogoutAndLanguage) {
    EXPECT_EQ(gate_pending_session("totp", "GET", "/login/totp"), PendingGate::Pass);
    EXPECT_EQ(gate_pending_session("totp", "POST", "/login/totp"), PendingGate::Pass);
    EXPECT_EQ(gate_pending_session("totp", "POST", "/logout"), PendingGate::Pass);
    EXPECT_EQ(gate_pending_session("totp", "POST", "/lang"), PendingGate::Pass);
    for (const char* path : {"/mailboxes", "/", "/login", "/settings", "/audit", "/mailbox/1",
                             "/login/enrol", "/logout", "/login/totp/"})
        EXPECT_EQ(gate_pending_session("totp", "GET", path), PendingGate::RedirectToStep) << path;
    for (const char* path : {"/mailboxes/bulk", "/mailbox/1/vip", "/settings", "/login",
                             "/login/enrol", "/mailboxes/new"})
        EXPECT_EQ(gate_pending_session("totp", "POST", path), PendingGate::Forbidden) << path;
    EXPECT_EQ(gate_pending_session("enrol", "POST", "/login/enrol"), PendingGate::Pass);
    EXPECT_EQ(gate_pending_session("enrol", "POST", "/login/totp"), PendingGate::Forbidden);
    EXPECT_EQ(gate_pending_session("enrol", "GET", "/login/totp"), PendingGate::RedirectToStep);
    EXPECT_EQ(gate_pending_session("totp", "PUT", "/login/totp"), PendingGate::RedirectToStep);
}

TEST(WebTotpLogin, AWrongCodeLogsTheLineFail2banCountsForPasswords) {
    const std::string line =
        second_factor_failure_log_line("192.0.2.7", "anna", ThrottleVerdict::Allow);
    EXPECT_EQ(line, "login failed from 192.0.2.7 for admin 'anna' (wrong second factor)");
    // web/share/fail2ban/boxwarden-web.conf: ^.*boxwarden-web: login failed from <HOST> for admin '
    const std::regex filter("^.*boxwarden-web: login failed from (\\S+) for admin '");
    std::smatch m;
    const std::string logged = "boxwarden-web: " + line;
    ASSERT_TRUE(std::regex_search(logged, m, filter));
    EXPECT_EQ(m[1], "192.0.2.7");
    EXPECT_EQ(
        second_factor_failure_log_line("192.0.2.7", "anna", ThrottleVerdict::AccountThrottled),
        "login failed from 192.0.2.7 for admin 'anna' (throttled: too many failures of "
        "this account)");
}

TEST(WebClientAddress, ParsesTrustedProxiesToCanonicalAddresses) {
    EXPECT_EQ(parse_trusted_proxies(""), std::vector<std::string>{});
    EXPECT_EQ(parse_trusted_proxies(" 127.0.0.1 , ::1,2001:DB8:0::1 "),
              (std::vector<std::string>{"127.0.0.1", "::1", "2001:db8::1"}));
    EXPECT_EQ(parse_trusted_proxies("::ffff:10.0.0.1"), std::vector<std::string>{"10.0.0.1"});
    EXPECT_THROW(parse_trusted_proxies("127.0.0.1, proxy.example"), std::invalid_argument);
    EXPECT_THROW(parse_trusted_proxies("10.0.0.0/8"), std::invalid_argument);
    EXPECT_THROW(parse_trusted_proxies("300.1.1.1"), std::invalid_argument);
}

TEST(WebClientAddress, TheHeaderIsIgnoredUnlessThePeerIsATrustedProxy) {
    const std::vector<std::string> trusted{"127.0.0.1"};
    EXPECT_EQ(client_address("192.0.2.50", {"203.0.113.9"}, trusted), "192.0.2.50");
    EXPECT_EQ(client_address("192.0.2.50", {"203.0.113.9"}, {}), "192.0.2.50");
    EXPECT_EQ(client_address("127.0.0.1", {"203.0.113.9"}, {}), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", {}, trusted), "127.0.0.1");
}

TEST(WebClientAddress, FromATrustedProxyTheLastHopCountsNotWhatTheClientWrote) {
    const std::vector<std::string> trusted{"127.0.0.1", "::1"};
    EXPECT_EQ(client_address("127.0.0.1", {"203.0.113.9"}, trusted), "203.0.113.9");
    // The client sent "X-Forwarded-For: 10.9.9.9"; nginx appended the real one.
    EXPECT_EQ(client_address("127.0.0.1", {"10.9.9.9, 203.0.113.9"}, trusted), "203.0.113.9");
    EXPECT_EQ(client_address("127.0.0.1", {"10.9.9.9", "203.0.113.9"}, trusted), "203.0.113.9");
    EXPECT_EQ(client_address("::1", {"2001:DB8::7"}, trusted), "2001:db8::7");
    EXPECT_EQ(client_address("::1", {"[2001:db8::7]"}, trusted), "2001:db8::7");
    EXPECT_EQ(client_address("::ffff:127.0.0.1", {"203.0.113.9"}, trusted), "203.0.113.9");
    // A last hop that is no address: the proxy's own address, never the text.
    EXPECT_EQ(client_address("127.0.0.1", {"203.0.113.9, evil' for admin 'x"}, trusted),
              "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", {"203.0.113.9, "}, trusted), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", {""}, trusted), "127.0.0.1");
}

}  // namespace
}  // namespace boxwarden::web
