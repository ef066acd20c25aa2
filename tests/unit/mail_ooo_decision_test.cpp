#include "boxwarden/ooo_decision.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxwarden {
namespace {

using std::chrono::hours;

const TimePoint kNow = TimePoint{} + std::chrono::seconds(1795766400);

// A message that gets a reply: every rule passes.
OooFacts replying() {
    OooFacts f;
    f.mailbox_address = "info@example.de";
    f.mailbox_active = true;
    f.ooo_enabled = true;
    f.ooo_start = kNow - hours(24);
    f.ooo_end = kNow + hours(24);
    f.recipient_delimiters = "+";
    f.envelope_sender = "<bob@example.org>";
    f.headers = {{"From", " Bob <bob@example.org>"},
                 {"To", " Info <info@example.de>"},
                 {"Subject", " Hello"},
                 {"Message-ID", " <m1@example.org>"}};
    return f;
}

std::vector<OooReason> reasons(const OooFacts& f, TimePoint now = kNow) {
    const OooDecision d = decide_ooo_reply(f, now);
    EXPECT_EQ(d.reply, d.reasons.empty());
    return d.reasons;
}

using Reasons = std::vector<OooReason>;

TEST(MailOooDecision, RepliesWhenEveryRulePasses) {
    EXPECT_TRUE(decide_ooo_reply(replying(), kNow).reply);
}

TEST(MailOooDecision, MailboxInactive) {
    OooFacts f = replying();
    f.mailbox_active = false;
    EXPECT_EQ(reasons(f), Reasons{OooReason::MailboxInactive});
}

TEST(MailOooDecision, OooDisabled) {
    OooFacts f = replying();
    f.ooo_enabled = false;
    EXPECT_EQ(reasons(f), Reasons{OooReason::OooDisabled});
}

TEST(MailOooDecision, WindowIsStartInclusiveEndExclusive) {
    OooFacts f = replying();
    EXPECT_EQ(reasons(f, *f.ooo_start), Reasons{});
    EXPECT_EQ(reasons(f, *f.ooo_start - std::chrono::microseconds(1)),
              Reasons{OooReason::BeforeWindow});
    EXPECT_EQ(reasons(f, *f.ooo_end - std::chrono::microseconds(1)), Reasons{});
    EXPECT_EQ(reasons(f, *f.ooo_end), Reasons{OooReason::AfterWindow});
    f.ooo_start.reset();
    f.ooo_end.reset();  // unbounded both ways
    EXPECT_EQ(reasons(f, TimePoint{}), Reasons{});
}

TEST(MailOooDecision, NullSender) {
    for (const char* sender : {"", "<>", " <> "}) {
        OooFacts f = replying();
        f.envelope_sender = sender;
        EXPECT_EQ(reasons(f), Reasons{OooReason::NullSender}) << sender;
    }
}

TEST(MailOooDecision, SystemSenders) {
    for (const char* sender :
         {"MAILER-DAEMON@example.org", "mailer-daemon@example.org", "LISTSERV@lists.example.org",
          "majordomo@example.org", "owner-staff@example.org", "staff-owner@example.org",
          "staff-request@example.org", "Staff-Request+x@example.org"}) {
        OooFacts f = replying();
        f.envelope_sender = sender;
        EXPECT_EQ(reasons(f), Reasons{OooReason::SystemSender}) << sender;
    }
}

TEST(MailOooDecision, PostmasterAndLookalikesAreAnswered) {
    for (const char* sender : {"postmaster@example.org", "owner@example.org", "request@example.org",
                               "daemon@example.org", "requests@example.org"}) {
        OooFacts f = replying();
        f.envelope_sender = sender;
        EXPECT_EQ(reasons(f), Reasons{}) << sender;
    }
}

TEST(MailOooDecision, NoReplySenders) {
    for (const char* sender :
         {"noreply@example.org", "no-reply@example.org", "No_Reply@example.org",
          "noreply+123@example.org", "do-not-reply@example.org", "donotreply@example.org",
          "noreply-github@example.org"}) {
        OooFacts f = replying();
        f.envelope_sender = sender;
        EXPECT_EQ(reasons(f), Reasons{OooReason::NoReplySender}) << sender;
    }
    OooFacts f = replying();
    f.envelope_sender = "reply@example.org";
    EXPECT_EQ(reasons(f), Reasons{});
}

TEST(MailOooDecision, UnusableSender) {
    OooFacts f = replying();
    f.envelope_sender = "\"bob smith\"@example.org";
    EXPECT_EQ(reasons(f), Reasons{OooReason::UnusableSender});
    f.envelope_sender = "MAILER-DAEMON";  // no domain: both rules
    EXPECT_EQ(reasons(f), (Reasons{OooReason::SystemSender, OooReason::UnusableSender}));
}

TEST(MailOooDecision, FromTheMailboxItself) {
    for (const char* sender : {"info@example.de", "INFO@Example.de", "info+loop@example.de"}) {
        OooFacts f = replying();
        f.envelope_sender = sender;
        EXPECT_EQ(reasons(f), Reasons{OooReason::FromSelf}) << sender;
    }
}

TEST(MailOooDecision, AutoSubmittedOtherThanNo) {
    for (const char* value : {" auto-replied", " auto-generated", " Auto-Replied (vacation)",
                              " auto-notified; x=y", " x-unknown", " "}) {
        OooFacts f = replying();
        f.headers.push_back({"Auto-Submitted", value});
        EXPECT_EQ(reasons(f), Reasons{OooReason::AutoSubmitted}) << value;
    }
    for (const char* value : {" no", " No", " no (a person wrote this)", "no"}) {
        OooFacts f = replying();
        f.headers.push_back({"auto-submitted", value});
        EXPECT_EQ(reasons(f), Reasons{}) << value;
    }
    OooFacts f = replying();  // any instance counts
    f.headers.push_back({"Auto-Submitted", " no"});
    f.headers.push_back({"Auto-Submitted", " auto-generated"});
    EXPECT_EQ(reasons(f), Reasons{OooReason::AutoSubmitted});
}

TEST(MailOooDecision, PrecedenceBulkListJunk) {
    for (const char* value : {" bulk", " LIST", " Junk", " bulk (newsletter)"}) {
        OooFacts f = replying();
        f.headers.push_back({"Precedence", value});
        EXPECT_EQ(reasons(f), Reasons{OooReason::Precedence}) << value;
    }
    OooFacts f = replying();
    f.headers.push_back({"Precedence", " first-class"});
    EXPECT_EQ(reasons(f), Reasons{});
    f.headers.push_back({"PRECEDENCE", " bulk"});  // the second instance counts too
    EXPECT_EQ(reasons(f), Reasons{OooReason::Precedence});
}

TEST(MailOooDecision, AnyListHeader) {
    for (const char* name : {"List-Id", "List-Unsubscribe", "list-post", "LIST-HELP", "List-X"}) {
        OooFacts f = replying();
        f.headers.push_back({name, " <staff.example.org>"});
        EXPECT_EQ(reasons(f), Reasons{OooReason::ListHeader}) << name;
    }
    OooFacts f = replying();
    f.headers.push_back({"Listing", " x"});
    f.headers.push_back({"X-List-Id", " x"});
    EXPECT_EQ(reasons(f), Reasons{});
}

TEST(MailOooDecision, XAutoResponseSuppress) {
    for (const char* value : {" All", " OOF", " DR, OOF, AutoReply", " dr,all", " oof "}) {
        OooFacts f = replying();
        f.headers.push_back({"X-Auto-Response-Suppress", value});
        EXPECT_EQ(reasons(f), Reasons{OooReason::AutoResponseSuppressed}) << value;
    }
    for (const char* value : {" DR, RN, NRN", " AutoReply", " None", " Allx"}) {
        OooFacts f = replying();
        f.headers.push_back({"X-Auto-Response-Suppress", value});
        EXPECT_EQ(reasons(f), Reasons{}) << value;
    }
}

TEST(MailOooDecision, SpamFlag) {
    OooFacts f = replying();
    f.headers.push_back({"X-Spam-Flag", " NO"});
    EXPECT_EQ(reasons(f), Reasons{});
    f.headers.push_back({"X-Spam-Flag", " yes"});
    EXPECT_EQ(reasons(f), Reasons{OooReason::SpamFlag});
}

TEST(MailOooDecision, NotAddressedBccOrListExpansion) {
    OooFacts f = replying();
    f.headers[1] = {"To", " staff@example.de"};
    EXPECT_EQ(reasons(f), Reasons{OooReason::NotAddressed});
    f.headers.push_back({"Bcc", " info@example.de"});  // Bcc does not count
    EXPECT_EQ(reasons(f), Reasons{OooReason::NotAddressed});
    f.headers[1] = {"To", " undisclosed-recipients:;"};
    EXPECT_EQ(reasons(f), Reasons{OooReason::NotAddressed});
    f.headers.erase(f.headers.begin() + 1);  // no To at all
    EXPECT_EQ(reasons(f), Reasons{OooReason::NotAddressed});
}

TEST(MailOooDecision, AddressedInToCcResentToResentCc) {
    for (const char* name : {"To", "cc", "Resent-To", "RESENT-CC"}) {
        OooFacts f = replying();
        f.headers[1] = {"To", " staff@example.de"};
        f.headers.push_back({name, " a@x.example,\n \"Info\" <Info+Sales@EXAMPLE.DE>"});
        EXPECT_EQ(reasons(f), Reasons{}) << name;
    }
    OooFacts f = replying();  // in a group
    f.headers[1] = {"To", " team: a@x.example, info@example.de;"};
    EXPECT_EQ(reasons(f), Reasons{});
    f.headers[1] = {"To", " info@example.de, broken <"};  // an unparseable To names nobody
    EXPECT_EQ(reasons(f), Reasons{OooReason::NotAddressed});
}

TEST(MailOooDecision, TooManyRecipients) {
    std::string to = " info@example.de";
    for (int i = 1; i < 64; ++i) to += ", r" + std::to_string(i) + "@example.org";
    OooFacts f = replying();
    f.headers[1] = {"To", to};  // 64 in all
    EXPECT_EQ(reasons(f), Reasons{});
    f.headers.push_back({"Cc", " one-more@example.org"});  // 65, counted across headers
    EXPECT_EQ(reasons(f), Reasons{OooReason::TooManyRecipients});
}

TEST(MailOooDecision, TooManyHeaderLines) {
    OooFacts f = replying();
    while (f.headers.size() < 512) f.headers.push_back({"Received", " from x"});
    EXPECT_EQ(reasons(f), Reasons{});
    f.headers.back().value = " from x\n by y";  // a fold is a further line
    EXPECT_EQ(reasons(f), Reasons{OooReason::TooManyHeaderLines});
}

TEST(MailOooDecision, EveryApplicableReasonIsListed) {
    OooFacts f = replying();
    f.mailbox_active = false;
    f.envelope_sender = "";
    f.headers.push_back({"Precedence", " bulk"});
    f.headers.push_back({"List-Id", " <x>"});
    EXPECT_EQ(reasons(f), (Reasons{OooReason::MailboxInactive, OooReason::NullSender,
                                   OooReason::Precedence, OooReason::ListHeader}));
    EXPECT_EQ(to_string(OooReason::ListHeader), "list_header");
}

TEST(MailOooDecision, InToHeaderForTheVipRule) {
    const std::vector<std::string> to = {" a@x.example", " \"VIP\" <CEO+x@example.de>"};
    EXPECT_TRUE(in_to_header("ceo@example.de", to, "+"));
    EXPECT_FALSE(in_to_header("ceo@example.de", to, ""));
    EXPECT_FALSE(in_to_header("info@example.de", to, "+"));
    EXPECT_FALSE(in_to_header("ceo@example.de", std::vector<std::string>{}, "+"));
    const AddressListResult parsed = parse_address_list("ceo@example.de");
    EXPECT_TRUE(in_to_header("ceo@example.de", parsed.mailboxes, "+"));
}

}  // namespace
}  // namespace boxwarden
