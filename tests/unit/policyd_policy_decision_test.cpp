// The Postfix policy verdict and the sender permission check (pure logic).
#include <gtest/gtest.h>

#include "boxwarden/policy_decision.h"
#include "policyd_fake_directory.h"

namespace boxwarden::policyd {
namespace {

using testing::FakeDirectory;
using namespace std::chrono_literals;

const TimePoint kNow = TimePoint{} + std::chrono::hours(24 * 365 * 56);

class PolicydDecisionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir.add_mailbox("info@example.de");
        dir.add_mailbox("sales@example.de");
        auto& old = dir.add_mailbox("old@example.de", false);
        old.deactivated_at = kNow - 10min;
        dir.add_user("anna", {"info@example.de"});
        dir.add_user("carla", {});
    }
    std::string rcpt(const std::string& recipient, const std::string& sender = "a@example.org",
                     const std::string& login = "") {
        PolicyQuery q{"RCPT", recipient, sender, login};
        return decide_policy(q, "+", dir, dir.fresh, kNow);
    }
    FakeDirectory dir;
};

TEST_F(PolicydDecisionTest, ActiveMailboxIsDunno) {
    EXPECT_EQ(rcpt("info@example.de"), "DUNNO");
}

TEST_F(PolicydDecisionTest, UnknownMailboxInHostedDomainIs550_511) {
    EXPECT_EQ(rcpt("nobody@example.de"), "550 5.1.1 Mailbox unknown");
}

TEST_F(PolicydDecisionTest, DisabledMailboxIs550_521) {
    EXPECT_EQ(rcpt("old@example.de"), "550 5.2.1 Mailbox disabled");
}

TEST_F(PolicydDecisionTest, DisabledMailboxInsideGraceIsStillAccepted) {
    dir.grace = 11min;
    EXPECT_EQ(rcpt("old@example.de"), "DUNNO");
    dir.grace = 10min;
    EXPECT_EQ(rcpt("old@example.de"), "550 5.2.1 Mailbox disabled");
}

TEST_F(PolicydDecisionTest, RecipientOutsideHostedDomainsIsDunno) {
    EXPECT_EQ(rcpt("someone@example.org"), "DUNNO");
    EXPECT_EQ(rcpt("postmaster"), "DUNNO");
}

TEST_F(PolicydDecisionTest, AddressExtensionIsStrippedAndCaseIgnored) {
    EXPECT_EQ(rcpt("Info+Newsletter@Example.DE"), "DUNNO");
    EXPECT_EQ(rcpt("<old+x@example.de>"), "550 5.2.1 Mailbox disabled");
    EXPECT_EQ(rcpt("nobody+x@example.de"), "550 5.1.1 Mailbox unknown");
}

TEST_F(PolicydDecisionTest, StalePastCutoffDefersEvenKnownMailboxes) {
    dir.fresh = Freshness{true, 1800s, 1800s};
    const std::string defer =
        "DEFER_IF_PERMIT 4.3.0 Mailbox state temporarily unavailable, try again later";
    EXPECT_EQ(rcpt("info@example.de"), defer);
    EXPECT_EQ(rcpt("old@example.de"), defer);
    EXPECT_EQ(rcpt("nobody@example.de"), defer);
    EXPECT_EQ(rcpt("x@example.org"), defer);
}

TEST_F(PolicydDecisionTest, YoungerThanCutoffAnswersFromCache) {
    dir.fresh = Freshness{true, 1799s, 1800s};
    EXPECT_EQ(rcpt("info@example.de"), "DUNNO");
    EXPECT_EQ(rcpt("old@example.de"), "550 5.2.1 Mailbox disabled");
}

TEST_F(PolicydDecisionTest, NeverSyncedDefers) {
    dir.fresh = Freshness{false, 0s, 1800s};
    EXPECT_EQ(rcpt("info@example.de").rfind("DEFER_IF_PERMIT 4.3.0 ", 0), 0u);
}

TEST_F(PolicydDecisionTest, OtherProtocolStatesAreDunno) {
    for (const char* state : {"DATA", "END-OF-MESSAGE", "CONNECT", "MAIL", ""}) {
        PolicyQuery q{state, "old@example.de", "x@example.org", "nobody"};
        EXPECT_EQ(decide_policy(q, "+", dir, dir.fresh, kNow), "DUNNO") << state;
    }
    PolicyQuery lower{"rcpt", "old@example.de", "", ""};
    EXPECT_EQ(decide_policy(lower, "+", dir, dir.fresh, kNow), "550 5.2.1 Mailbox disabled");
}

TEST_F(PolicydDecisionTest, LoginEqualToMailboxMaySendAsIt) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "info@example.de"), "DUNNO");
    EXPECT_EQ(rcpt("x@example.org", "INFO@example.de", "Info@Example.de"), "DUNNO");
}

TEST_F(PolicydDecisionTest, AssignedUserMaySendAsMailbox) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "anna"), "DUNNO");
    EXPECT_EQ(rcpt("x@example.org", "info+tag@example.de", "anna"), "DUNNO");
}

TEST_F(PolicydDecisionTest, UnassignedUserIsRefused553) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "carla"),
              "553 5.7.1 Sender address <info@example.de> is not owned by the authenticated "
              "login");
    EXPECT_EQ(rcpt("x@example.org", "sales@example.de", "info@example.de"),
              "553 5.7.1 Sender address <sales@example.de> is not owned by the authenticated "
              "login");
}

TEST_F(PolicydDecisionTest, AuthenticatedSenderMustBeHostedMailbox) {
    const std::string not_hosted = "> is not a mailbox hosted here";
    EXPECT_EQ(rcpt("x@example.org", "anna@gmail.com", "anna"),
              "553 5.7.1 Sender address <anna@gmail.com" + not_hosted);
    EXPECT_EQ(rcpt("x@example.org", "ghost@example.de", "anna"),
              "553 5.7.1 Sender address <ghost@example.de" + not_hosted);
    EXPECT_EQ(rcpt("x@example.org", "", "anna"), "553 5.7.1 Sender address <" + not_hosted);
}

TEST_F(PolicydDecisionTest, InactiveMailboxMayStillSend) {
    EXPECT_EQ(rcpt("x@example.org", "old@example.de", "old@example.de"), "DUNNO");
}

TEST_F(PolicydDecisionTest, UnauthenticatedHostedSenderIsLeftToPostfix) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", ""), "DUNNO");
}

TEST_F(PolicydDecisionTest, AllowedSenderStillGetsRecipientVerdict) {
    EXPECT_EQ(rcpt("old@example.de", "info@example.de", "anna"), "550 5.2.1 Mailbox disabled");
}

TEST_F(PolicydDecisionTest, CheckSenderDistinguishesTheReasons) {
    EXPECT_EQ(check_sender("anna", "info@example.de", "+", dir), SenderCheck::Allowed);
    EXPECT_EQ(check_sender("carla", "info@example.de", "+", dir), SenderCheck::NotPermitted);
    EXPECT_EQ(check_sender("carla", "x@example.org", "+", dir), SenderCheck::NotHostedMailbox);
    EXPECT_EQ(check_sender("carla", "not an address", "+", dir), SenderCheck::NotHostedMailbox);
}

TEST_F(PolicydDecisionTest, EvaluateRecipientReportsFacts) {
    auto v = evaluate_recipient("Info+x@example.de", "+", dir, dir.fresh, kNow);
    EXPECT_EQ(v.address, "info@example.de");
    EXPECT_TRUE(v.domain_hosted);
    ASSERT_TRUE(v.mailbox.has_value());
    EXPECT_EQ(v.decision.verdict, DeliveryVerdict::Deliver);
    auto outside = evaluate_recipient("a@example.org", "+", dir, dir.fresh, kNow);
    EXPECT_FALSE(outside.domain_hosted);
    EXPECT_EQ(outside.decision.verdict, DeliveryVerdict::RejectUnknown);
}

// Finding: "old@example.de." was DUNNO (domain not hosted) and Postfix
// delivered it to old@example.de.
TEST_F(PolicydDecisionTest, SpellingsPostfixResolvesToADisabledMailboxAreRefused) {
    for (const char* r :
         {"old@example.de.", "<OLD@Example.DE.>", "\"old\"@example.de", "\"old\"@example.de.",
          "<@relay.example:old@example.de>", "old+x@example.de."})
        EXPECT_EQ(rcpt(r), "550 5.2.1 Mailbox disabled") << r;
}

TEST_F(PolicydDecisionTest, UnusableLocalPartInHostedDomainIsUnknown) {
    for (const char* r :
         {"\"o ld\"@example.de", "a..b@example.de", "\"old@example.de\"@example.de"})
        EXPECT_EQ(rcpt(r), "550 5.1.1 Mailbox unknown") << r;
    EXPECT_EQ(rcpt("a..b@example.org"), "DUNNO");
}

TEST_F(PolicydDecisionTest, MailboxWithDelimiterInItsNameIsFoundBeforeTheStrippedOne) {
    dir.add_mailbox("c+d@example.de");
    EXPECT_EQ(rcpt("c+d@example.de"), "DUNNO");
    EXPECT_EQ(rcpt("C+D@example.de."), "DUNNO");
    auto v = evaluate_recipient("c+d@example.de", "+", dir, dir.fresh, kNow);
    EXPECT_EQ(v.address, "c+d@example.de");
    // Postfix order: the full address, then the part before the first delimiter.
    EXPECT_EQ(rcpt("c+d+e@example.de"), "550 5.1.1 Mailbox unknown");
    dir.add_mailbox("c@example.de", false);
    EXPECT_EQ(rcpt("c+d@example.de"), "DUNNO");
    EXPECT_EQ(rcpt("c+x@example.de"), "550 5.2.1 Mailbox disabled");
}

TEST_F(PolicydDecisionTest, SenderCheckUsesTheSameLookup) {
    dir.add_mailbox("c+d@example.de");
    dir.add_user("dora", {"c+d@example.de"});
    EXPECT_EQ(check_sender("dora", "c+d@example.de", "+", dir), SenderCheck::Allowed);
    EXPECT_EQ(check_sender("dora", "\"c+d\"@Example.de.", "+", dir), SenderCheck::Allowed);
    EXPECT_EQ(check_sender("carla", "info@example.de.", "+", dir), SenderCheck::NotPermitted);
    EXPECT_EQ(check_sender("anna", "<info@example.de.>", "+", dir), SenderCheck::Allowed);
}

TEST_F(PolicydDecisionTest, ResolveMailboxAddressPrefersTheFullAddress) {
    dir.add_mailbox("c+d@example.de");
    EXPECT_EQ(resolve_mailbox_address("C+D@example.de.", "+", dir), "c+d@example.de");
    EXPECT_EQ(resolve_mailbox_address("info+x@example.de", "+", dir), "info@example.de");
    EXPECT_EQ(resolve_mailbox_address("nobody+x@example.de", "+", dir), "nobody@example.de");
    EXPECT_FALSE(resolve_mailbox_address("a..b@example.de", "+", dir));
}

}  // namespace
}  // namespace boxwarden::policyd
