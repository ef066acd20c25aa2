// The Postfix policy verdict and the sender permission check (pure logic).
#include <gtest/gtest.h>

#include "boxwarden/policy_decision.h"
#include "policy_service.h"
#include "policyd_fake_directory.h"

namespace boxwarden::policyd {
namespace {

using testing::FakeDirectory;
using namespace std::chrono_literals;

const TimePoint kNow = TimePoint{} + std::chrono::hours(24 * 365 * 56);

const PolicyVerdict kDunno{};
const PolicyVerdict kUnknown{PolicyVerdictKind::Reject, 550, "5.1.1", "Mailbox unknown"};
const PolicyVerdict kDisabled{PolicyVerdictKind::Reject, 550, "5.2.1", "Mailbox disabled"};
const PolicyVerdict kDefer{PolicyVerdictKind::DeferIfPermit, 451, "4.3.0",
                           "Mailbox state temporarily unavailable, try again later"};

PolicyVerdict sender_refused(const std::string& text) {
    return PolicyVerdict{PolicyVerdictKind::Reject, 553, "5.7.1", text};
}

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
    PolicyVerdict rcpt(const std::string& recipient, const std::string& sender = "a@example.org",
                       const std::string& login = "") {
        PolicyQuery q{"RCPT", recipient, sender, login};
        return decide_policy(q, "+", dir, dir.fresh, kNow);
    }
    FakeDirectory dir;
};

TEST_F(PolicydDecisionTest, ActiveMailboxIsDunno) {
    EXPECT_EQ(rcpt("info@example.de"), kDunno);
}

TEST_F(PolicydDecisionTest, UnknownMailboxInHostedDomainIs550_511) {
    EXPECT_EQ(rcpt("nobody@example.de"), kUnknown);
}

TEST_F(PolicydDecisionTest, DisabledMailboxIs550_521) {
    EXPECT_EQ(rcpt("old@example.de"), kDisabled);
}

TEST_F(PolicydDecisionTest, DisabledMailboxInsideGraceIsStillAccepted) {
    dir.grace = 11min;
    EXPECT_EQ(rcpt("old@example.de"), kDunno);
    dir.grace = 10min;
    EXPECT_EQ(rcpt("old@example.de"), kDisabled);
}

TEST_F(PolicydDecisionTest, RecipientOutsideHostedDomainsIsDunno) {
    EXPECT_EQ(rcpt("someone@example.org"), kDunno);
    EXPECT_EQ(rcpt("postmaster"), kDunno);
}

TEST_F(PolicydDecisionTest, AddressExtensionIsStrippedAndCaseIgnored) {
    EXPECT_EQ(rcpt("Info+Newsletter@Example.DE"), kDunno);
    EXPECT_EQ(rcpt("<old+x@example.de>"), kDisabled);
    EXPECT_EQ(rcpt("nobody+x@example.de"), kUnknown);
}

TEST_F(PolicydDecisionTest, StalePastCutoffDefersEvenKnownMailboxes) {
    dir.fresh = Freshness{true, 1800s, 1800s};
    const PolicyVerdict defer = kDefer;
    EXPECT_EQ(rcpt("info@example.de"), defer);
    EXPECT_EQ(rcpt("old@example.de"), defer);
    EXPECT_EQ(rcpt("nobody@example.de"), defer);
    EXPECT_EQ(rcpt("x@example.org"), defer);
}

TEST_F(PolicydDecisionTest, YoungerThanCutoffAnswersFromCache) {
    dir.fresh = Freshness{true, 1799s, 1800s};
    EXPECT_EQ(rcpt("info@example.de"), kDunno);
    EXPECT_EQ(rcpt("old@example.de"), kDisabled);
}

TEST_F(PolicydDecisionTest, NeverSyncedDefers) {
    dir.fresh = Freshness{false, 0s, 1800s};
    EXPECT_EQ(rcpt("info@example.de"), kDefer);
}

TEST_F(PolicydDecisionTest, OtherProtocolStatesAreDunno) {
    for (const char* state : {"DATA", "END-OF-MESSAGE", "CONNECT", "MAIL", ""}) {
        PolicyQuery q{state, "old@example.de", "x@example.org", "nobody"};
        EXPECT_EQ(decide_policy(q, "+", dir, dir.fresh, kNow), kDunno) << state;
    }
    PolicyQuery lower{"rcpt", "old@example.de", "", ""};
    EXPECT_EQ(decide_policy(lower, "+", dir, dir.fresh, kNow), kDisabled);
}

TEST_F(PolicydDecisionTest, LoginEqualToMailboxMaySendAsIt) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "info@example.de"), kDunno);
    EXPECT_EQ(rcpt("x@example.org", "INFO@example.de", "Info@Example.de"), kDunno);
}

TEST_F(PolicydDecisionTest, AssignedUserMaySendAsMailbox) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "anna"), kDunno);
    EXPECT_EQ(rcpt("x@example.org", "info+tag@example.de", "anna"), kDunno);
}

TEST_F(PolicydDecisionTest, UnassignedUserIsRefused553) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "carla"),
              sender_refused("Sender address <info@example.de> is not owned by the "
                             "authenticated login"));
    EXPECT_EQ(rcpt("x@example.org", "sales@example.de", "info@example.de"),
              sender_refused("Sender address <sales@example.de> is not owned by the "
                             "authenticated login"));
}

TEST_F(PolicydDecisionTest, AuthenticatedSenderMustBeHostedMailbox) {
    const std::string not_hosted = "> is not a mailbox hosted here";
    EXPECT_EQ(rcpt("x@example.org", "anna@gmail.com", "anna"),
              sender_refused("Sender address <anna@gmail.com" + not_hosted));
    EXPECT_EQ(rcpt("x@example.org", "ghost@example.de", "anna"),
              sender_refused("Sender address <ghost@example.de" + not_hosted));
    EXPECT_EQ(rcpt("x@example.org", "", "anna"), sender_refused("Sender address <" + not_hosted));
}

TEST_F(PolicydDecisionTest, InactiveMailboxMayStillSend) {
    EXPECT_EQ(rcpt("x@example.org", "old@example.de", "old@example.de"), kDunno);
}

TEST_F(PolicydDecisionTest, UnauthenticatedHostedSenderIsLeftToPostfix) {
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", ""), kDunno);
}

TEST_F(PolicydDecisionTest, AllowedSenderStillGetsRecipientVerdict) {
    EXPECT_EQ(rcpt("old@example.de", "info@example.de", "anna"), kDisabled);
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

// The adapter alone writes Postfix's action= syntax; the texts are the
// documented ones (docs/protocol.md, Postfix policy socket).
TEST(PolicydPolicyAction, FormatsEveryKind) {
    EXPECT_EQ(format_policy_action(kDunno), "DUNNO");
    EXPECT_EQ(format_policy_action(kUnknown), "550 5.1.1 Mailbox unknown");
    EXPECT_EQ(format_policy_action(kDisabled), "550 5.2.1 Mailbox disabled");
    EXPECT_EQ(format_policy_action(kDefer),
              "DEFER_IF_PERMIT 4.3.0 Mailbox state temporarily unavailable, try again later");
    EXPECT_EQ(format_policy_action(sender_refused("Sender address <a@b.de> is not a mailbox "
                                                  "hosted here")),
              "553 5.7.1 Sender address <a@b.de> is not a mailbox hosted here");
}

// Written straight into the connection's output buffer, with the Raw
// encoding's rule: CR, LF and NUL in the value become spaces.
TEST(PolicydPolicyAction, AppendsTheReplyToTheOutputBuffer) {
    std::string out = "action=DUNNO\n\n";
    append_policy_reply(kUnknown, out);
    EXPECT_EQ(out, "action=DUNNO\n\naction=550 5.1.1 Mailbox unknown\n\n");
    out.clear();
    append_policy_reply(sender_refused(std::string("Sender address <a\r\nb") + '\0' + "c@b.de>"),
                        out);
    EXPECT_EQ(out, "action=553 5.7.1 Sender address <a  b c@b.de>\n\n");
    out.clear();
    append_policy_reply(kDefer, out);
    EXPECT_EQ(out,
              "action=DEFER_IF_PERMIT 4.3.0 Mailbox state temporarily unavailable, try again "
              "later\n\n");
}

TEST(PolicydPolicyAction, FixedAndOwnedTextsCompareByContent) {
    EXPECT_EQ(PolicyText("Mailbox unknown"), PolicyText(std::string("Mailbox unknown")));
    EXPECT_EQ(PolicyText::fixed("x"), PolicyText(std::string("x")));
    EXPECT_NE(PolicyText("a"), PolicyText("b"));
    PolicyText owned(std::string(100, 'x'));
    const PolicyText copy = owned;  // the copy views its own string
    owned = PolicyText("y");
    EXPECT_EQ(copy.view(), std::string(100, 'x'));
    EXPECT_TRUE(PolicyText().empty());
}

// The policy path must not copy a mailbox's strings (address, name,
// out-of-office texts) to decide: it asks only for the delivery state.
TEST_F(PolicydDecisionTest, PolicyPathAsksOnlyForTheMailboxState) {
    EXPECT_EQ(rcpt("old+x@example.de"), kDisabled);
    EXPECT_EQ(rcpt("info@example.de"), kDunno);
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "anna"), kDunno);
    EXPECT_EQ(rcpt("x@example.org", "info@example.de", "carla"),
              sender_refused("Sender address <info@example.de> is not owned by the "
                             "authenticated login"));
    EXPECT_EQ(dir.mailbox_calls, 0);
    EXPECT_GE(dir.mailbox_state_calls, 5);
}

// Finding: "old@example.de." was DUNNO (domain not hosted) and Postfix
// delivered it to old@example.de.
TEST_F(PolicydDecisionTest, SpellingsPostfixResolvesToADisabledMailboxAreRefused) {
    for (const char* r :
         {"old@example.de.", "<OLD@Example.DE.>", "\"old\"@example.de", "\"old\"@example.de.",
          "<@relay.example:old@example.de>", "old+x@example.de."})
        EXPECT_EQ(rcpt(r), kDisabled) << r;
}

TEST_F(PolicydDecisionTest, UnusableLocalPartInHostedDomainIsUnknown) {
    for (const char* r :
         {"\"o ld\"@example.de", "a..b@example.de", "\"old@example.de\"@example.de"})
        EXPECT_EQ(rcpt(r), kUnknown) << r;
    EXPECT_EQ(rcpt("a..b@example.org"), kDunno);
}

TEST_F(PolicydDecisionTest, MailboxWithDelimiterInItsNameIsFoundBeforeTheStrippedOne) {
    dir.add_mailbox("c+d@example.de");
    EXPECT_EQ(rcpt("c+d@example.de"), kDunno);
    EXPECT_EQ(rcpt("C+D@example.de."), kDunno);
    auto v = evaluate_recipient("c+d@example.de", "+", dir, dir.fresh, kNow);
    EXPECT_EQ(v.address, "c+d@example.de");
    // Postfix order: the full address, then the part before the first delimiter.
    EXPECT_EQ(rcpt("c+d+e@example.de"), kUnknown);
    dir.add_mailbox("c@example.de", false);
    EXPECT_EQ(rcpt("c+d@example.de"), kDunno);
    EXPECT_EQ(rcpt("c+x@example.de"), kDisabled);
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
