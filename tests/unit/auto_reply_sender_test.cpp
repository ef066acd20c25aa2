// RFC 3834 never-reply senders for out-of-office answers.
#include "boxwarden/auto_reply_sender.h"

#include <gtest/gtest.h>

namespace boxwarden {
namespace {

TEST(AutoReplySender, AutomatedAndListSendersGetNoReply) {
    const std::string_view box = "info@example.de";
    EXPECT_EQ(never_auto_reply_reason("", box), "null sender");
    EXPECT_EQ(never_auto_reply_reason("<>", box), "null sender");
    EXPECT_EQ(never_auto_reply_reason("mailer-daemon@mx.example.org", box),
              "sender is MAILER-DAEMON");
    EXPECT_EQ(never_auto_reply_reason("MAILER-DAEMON@mx.example.org", box),
              "sender is MAILER-DAEMON");
    EXPECT_EQ(never_auto_reply_reason("owner-users@lists.example.org", box),
              "sender is a list owner address");
    EXPECT_EQ(never_auto_reply_reason("users-request@lists.example.org", box),
              "sender is a list request address");
    EXPECT_EQ(never_auto_reply_reason("LISTSERV@lists.example.org", box),
              "sender is a list server");
    EXPECT_EQ(never_auto_reply_reason("majordomo@lists.example.org", box),
              "sender is a list server");
    EXPECT_EQ(never_auto_reply_reason("users-owner@lists.example.org", box),
              "sender is a list owner address");
    for (const char* s :
         {"noreply@shop.example", "no-reply@shop.example", "donotreply@shop.example",
          "do-not-reply@shop.example", "no_reply@shop.example", "noreply-billing@shop.example",
          "do.not.reply@shop.example"})
        EXPECT_EQ(never_auto_reply_reason(s, box), "sender is a no-reply address") << s;
}

TEST(AutoReplySender, TheMailboxItselfGetsNoReply) {
    EXPECT_EQ(never_auto_reply_reason("info@example.de", "info@example.de"),
              "sender is the mailbox itself");
    EXPECT_EQ(never_auto_reply_reason("INFO@example.de", "info@example.de"),
              "sender is the mailbox itself");
}

TEST(AutoReplySender, PeopleAndPostmasterAreAnswered) {
    const std::string_view box = "info@example.de";
    for (const char* s :
         {"postmaster@example.org", "anna@example.org", "owner@example.org", "request@example.org",
          "reply@example.org", "daemon@example.org", "sales@example.de"})
        EXPECT_EQ(never_auto_reply_reason(s, box), std::nullopt) << s;
}

}  // namespace
}  // namespace boxwarden
