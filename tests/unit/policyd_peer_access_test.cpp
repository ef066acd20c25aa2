// Allow-lists of unix socket peers, and the configuration file exposure check.
#include <grp.h>
#include <gtest/gtest.h>

#include "config_exposure.h"
#include "peer_access.h"

namespace boxwarden::policyd {
namespace {

TEST(PolicydPeerAccess, UsersAndGroupsByNameRootAlways) {
    std::vector<std::string> unknown;
    const PeerAllowList l = PeerAllowList::parse("nobody, postfix ,no-such-name-xyz", &unknown);
    EXPECT_EQ(unknown, std::vector<std::string>{"no-such-name-xyz"});
    const gid_t postfix = group_id("postfix").value();
    EXPECT_TRUE(l.allows({0, 0, {}}));                  // root
    EXPECT_TRUE(l.allows({65534, 65534, {}}));          // nobody, by user name
    EXPECT_TRUE(l.allows({1234, postfix, {}}));         // primary group postfix
    EXPECT_TRUE(l.allows({1234, 1234, {7, postfix}}));  // supplementary group
    EXPECT_FALSE(l.allows({1234, 1234, {7, 8}}));
    EXPECT_TRUE(PeerAllowList::parse("*").allows({1234, 1234, {}}));
    EXPECT_FALSE(PeerAllowList::parse("").allows({1234, 1234, {}}));
}

TEST(PolicydConfigExposure, PasswordFileReadableOnlyByRootAndTheRunUser) {
    EXPECT_EQ(exposure_problem({0600, "root", {}, false}, "boxwarden"), std::nullopt);
    EXPECT_EQ(exposure_problem({0640, "boxwarden", {}, true}, "boxwarden"), std::nullopt);
    EXPECT_EQ(exposure_problem({0640, "boxwarden", {"boxwarden"}, true}, "boxwarden"),
              std::nullopt);
    EXPECT_EQ(exposure_problem({0644, "boxwarden", {}, true}, "boxwarden"),
              "is readable by every local user");
    EXPECT_EQ(exposure_problem({0640, "boxwarden", {"dovecot"}, true}, "boxwarden"),
              "is readable by group boxwarden, which also holds dovecot");
    EXPECT_EQ(exposure_problem({0640, "mail", {}, false}, "boxwarden"),
              "is readable by group mail, which is not run_user's own group");
}

}  // namespace
}  // namespace boxwarden::policyd
