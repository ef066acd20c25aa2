// The pure parts of the plugin's IMAP/POP3 side (dovecot-plugin/access_decision.h).
#include <gtest/gtest.h>

#include "access_decision.h"

namespace boxwarden::dovecot_plugin {
namespace {

client::Result<client::UserReply> user_reply(client::ResultKind kind,
                                             std::vector<std::string> mailboxes = {}) {
    client::Result<client::UserReply> r;
    r.kind = kind;
    r.value.login = "anna";
    r.value.mailboxes = std::move(mailboxes);
    return r;
}

TEST(DovecotPluginAccess, AssignedOnlyWhilePolicydListsTheMailbox) {
    using client::ResultKind;
    EXPECT_EQ(assignment_state(user_reply(ResultKind::Ok, {"a@x.de", "info@x.de"}), "info@x.de"),
              AssignmentState::Assigned);
    EXPECT_EQ(assignment_state(user_reply(ResultKind::Ok, {"a@x.de"}), "info@x.de"),
              AssignmentState::Unassigned);
    EXPECT_EQ(assignment_state(user_reply(ResultKind::Ok), "info@x.de"),
              AssignmentState::Unassigned);
    // A deleted user is no longer assigned to anything.
    EXPECT_EQ(assignment_state(user_reply(ResultKind::NotFound), "info@x.de"),
              AssignmentState::Unassigned);
    // policyd could not say: neither end nor trust the session blindly.
    EXPECT_EQ(assignment_state(user_reply(ResultKind::Tempfail, {"info@x.de"}), "info@x.de"),
              AssignmentState::Unknown);
    EXPECT_EQ(assignment_state(user_reply(ResultKind::Error), "info@x.de"),
              AssignmentState::Unknown);
}

TEST(DovecotPluginAccess, TheByeNamesTheLoginAndTheMailbox) {
    EXPECT_EQ(unassigned_message({"info@x.de", "anna"}),
              "Access revoked: anna is no longer assigned to info@x.de");
}

TEST(DovecotPluginAccess, OnlyFlagsThatBecomeSetAreActions) {
    using V = std::vector<std::string_view>;
    EXPECT_EQ(actions_for_flag_change(0, kFlagSeen), V{"read"});
    EXPECT_EQ(actions_for_flag_change(kFlagSeen, kFlagSeen | kFlagAnswered), V{"answered"});
    EXPECT_EQ(actions_for_flag_change(kFlagSeen, kFlagSeen | kFlagDeleted), V{"deleted"});
    EXPECT_EQ(actions_for_flag_change(0, kFlagSeen | kFlagAnswered | kFlagDeleted),
              (V{"read", "answered", "deleted"}));
    EXPECT_TRUE(actions_for_flag_change(kFlagSeen, 0).empty());
    EXPECT_TRUE(actions_for_flag_change(kFlagSeen, kFlagSeen).empty());
    EXPECT_TRUE(actions_for_flag_change(0, kFlagFlagged).empty());
}

TEST(DovecotPluginAccess, EventIdsAreUniquePerActionAndFitTheProtocol) {
    EXPECT_EQ(agent_event_id("imap", "AbC12", 7), "imap-AbC12-7");
    EXPECT_NE(agent_event_id("imap", "AbC12", 7), agent_event_id("imap", "AbC12", 8));
    EXPECT_NE(agent_event_id("imap", "AbC12", 7), agent_event_id("pop3", "AbC12", 7));
    const std::string long_id = agent_event_id("imap", std::string(300, 's'), 123456789);
    EXPECT_EQ(long_id.size(), 128u);
    EXPECT_EQ(long_id.substr(long_id.size() - 10), "-123456789");
}

TEST(DovecotPluginAccess, AMailboxPasswordSessionHasNoUser) {
    EXPECT_EQ(agent_login({"info@x.de", ""}), "");
    EXPECT_FALSE(SessionIdentity({"info@x.de", ""}).identified());
    EXPECT_EQ(agent_login({"info@x.de", "anna"}), "anna");
}

}  // namespace
}  // namespace boxwarden::dovecot_plugin
