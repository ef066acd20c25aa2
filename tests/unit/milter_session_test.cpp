// boxwarden-milter's session logic with a fake libmilter context and a fake
// policyd: golden From rewrites, ownership refusals, several From headers,
// and the failure rules (tempfail -> no rewrite, no activity).
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "activity_request.h"
#include "milter_session.h"

namespace boxwarden::milter {
namespace {

using client::ResultKind;

struct FakeContext : MilterContext {
    std::map<std::string, std::string> macros;
    struct Change {
        std::string name;
        int index;
        std::string value;
    };
    std::vector<Change> changes;
    bool change_fails = false;
    std::string reply_code, reply_enhanced, reply_text;

    std::optional<std::string> macro(std::string_view name) override {
        auto it = macros.find(std::string(name));
        if (it == macros.end()) return std::nullopt;
        return it->second;
    }
    bool change_header(std::string_view name, int index, std::string_view value) override {
        if (change_fails) return false;
        changes.push_back({std::string(name), index, std::string(value)});
        return true;
    }
    bool set_reply(std::string_view code, std::string_view enhanced,
                   std::string_view text) override {
        reply_code = code;
        reply_enhanced = enhanced;
        reply_text = text;
        return true;
    }
};

// What the fake policyd knows and what it was asked.
struct FakePolicyd {
    std::map<std::string, client::Result<client::MailboxReply>> mailboxes;
    std::map<std::string, client::Result<client::UserReply>> users;
    ResultKind record_kind = ResultKind::Ok;
    bool lookup_tempfail = false;
    std::vector<client::RecordActivity> recorded;
    int clients_made = 0;

    void add_mailbox(const std::string& address, const std::string& email_name = "") {
        client::Result<client::MailboxReply> r;
        r.kind = ResultKind::Ok;
        r.value.delivery.address = address;
        r.value.email_name = email_name;
        mailboxes[address] = r;
    }
    void add_user(const std::string& login, const std::string& display_name,
                  std::vector<std::string> assigned) {
        client::Result<client::UserReply> r;
        r.kind = ResultKind::Ok;
        r.value.login = login;
        r.value.display_name = display_name;
        r.value.mailboxes = std::move(assigned);
        users[login] = r;
    }
    client::Result<client::MailboxReply> mailbox(const std::string& address) {
        auto it = mailboxes.find(address);
        if (it != mailboxes.end()) return it->second;
        client::Result<client::MailboxReply> r;
        r.kind = ResultKind::NotFound;
        r.error = "no such mailbox";
        r.value.delivery.address = address;
        return r;
    }
};

struct FakeQueries : PolicydQueries {
    explicit FakeQueries(FakePolicyd& p) : p_(p) {}
    SubmissionLookup lookup(const std::string& sender, const std::string& login) override {
        SubmissionLookup out;
        if (p_.lookup_tempfail) {
            out.sender.kind = out.user.kind = ResultKind::Tempfail;
            out.sender.error = out.user.error = "connect: No such file or directory";
            return out;
        }
        out.sender = p_.mailbox(sender);
        auto it = p_.users.find(login);
        if (it != p_.users.end()) {
            out.user = it->second;
        } else {
            out.user.kind = ResultKind::NotFound;
            out.user.error = "no such user";
        }
        return out;
    }
    client::Result<client::MailboxReply> mailbox(const std::string& address) override {
        return p_.mailbox(address);
    }
    client::Result<client::RecordedReply> record_activity(
        const client::RecordActivity& a) override {
        client::Result<client::RecordedReply> r;
        r.kind = p_.record_kind;
        if (r.kind == ResultKind::Ok) {
            p_.recorded.push_back(a);
            r.value.event_id = a.event_id;
        } else {
            r.error = "log spool unavailable";
        }
        return r;
    }
    FakePolicyd& p_;
};

class MilterSessionTest : public ::testing::Test {
  protected:
    MilterSession make_session(bool enforce = true) {
        return MilterSession(
            SessionSettings{enforce, "+"},
            [this] {
                ++policyd.clients_made;
                return std::make_unique<FakeQueries>(policyd);
            },
            [this](const std::string& line) { log.push_back(line); });
    }

    // One message through every callback; the EOM status.
    Status submit(MilterSession& s, const std::string& login, const std::string& sender,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::vector<std::string>& rcpts = {"<a@example.org>"}) {
        if (!login.empty()) ctx.macros["{auth_authen}"] = login;
        ctx.macros["i"] = "4QUEUE1";
        if (s.on_mail(ctx, "<" + sender + ">") == Status::Accept) return Status::Accept;
        for (const auto& r : rcpts) s.on_rcpt(r);
        for (const auto& [n, v] : headers) s.on_header(n, v);
        return s.on_eom(ctx, TimePoint{std::chrono::seconds(1795766400)});
    }

    // The From value written for a stored email_name.
    std::string rewritten(const std::string& email_name) {
        policyd = FakePolicyd{};
        ctx = FakeContext{};
        policyd.add_mailbox("info@example.de", email_name);
        auto s = make_session();
        EXPECT_EQ(submit(s, "info@example.de", "info@example.de", {{"From", " info@example.de"}}),
                  Status::Accept);
        EXPECT_EQ(policyd.recorded.size(), 1u);
        if (ctx.changes.size() != 1) return "(no change)";
        EXPECT_EQ(ctx.changes[0].name, "From");
        EXPECT_EQ(ctx.changes[0].index, 1);
        return ctx.changes[0].value;
    }

    FakePolicyd policyd;
    FakeContext ctx;
    std::vector<std::string> log;
};

TEST_F(MilterSessionTest, GoldenFromRewrites) {
    EXPECT_EQ(rewritten("Info Desk"), " Info Desk <info@example.de>");
    EXPECT_EQ(rewritten("Müller Immobilien"),
              " =?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>");
    EXPECT_EQ(rewritten("Team \xF0\x9F\x9A\x80"), " =?UTF-8?B?VGVhbSDwn5qA?= <info@example.de>");
    EXPECT_EQ(rewritten("Doe, \"JD\" \\ Co"), " \"Doe, \\\"JD\\\" \\\\ Co\" <info@example.de>");
    EXPECT_EQ(rewritten("boss@bank.example"), " \"boss@bank.example\" <info@example.de>");
    EXPECT_EQ(rewritten("Evil\r\nBcc: x@y.example"), " \"EvilBcc: x@y.example\" <info@example.de>");
    EXPECT_EQ(rewritten(std::string("Nul\0Byte", 8)), " NulByte <info@example.de>");
    EXPECT_EQ(rewritten("Line\xE2\x80\xA8Sep"), " Line Sep <info@example.de>");
}

TEST_F(MilterSessionTest, LongNameIsFoldedWithLfSpaceAndHasNoControlCharacters) {
    const std::string value = rewritten(std::string(60, 'x') + " Ä " + std::string(60, 'y'));
    ASSERT_NE(value, "(no change)");
    EXPECT_EQ(value.find('\r'), std::string::npos);
    for (std::size_t i = 0; i < value.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(value[i]);
        if (c == '\n') {
            ASSERT_LT(i + 1, value.size());
            EXPECT_EQ(value[i + 1], ' ') << "fold must be LF + space";
        } else {
            EXPECT_GE(c, 0x20) << "control character at " << i;
            EXPECT_LT(c, 0x7F) << "non-ASCII byte at " << i;
        }
    }
    EXPECT_NE(value.find('\n'), std::string::npos);
}

TEST_F(MilterSessionTest, NoEmailNameAndNoUserKeepsTheFrom) {
    EXPECT_EQ(rewritten(""), "(no change)");
}

TEST_F(MilterSessionTest, AssignedUserWithoutEmailNameShowsTheirDisplayName) {
    policyd.add_mailbox("info@example.de", "");
    policyd.add_user("anna", "Anna Schmidt", {"info@example.de"});
    auto s = make_session();
    EXPECT_EQ(submit(s, "anna", "info@example.de", {{"From", " Someone <Info@Example.DE>"}}),
              Status::Accept);
    ASSERT_EQ(ctx.changes.size(), 1u);
    EXPECT_EQ(ctx.changes[0].value, " Anna Schmidt <Info@example.de>");
    ASSERT_EQ(policyd.recorded.size(), 1u);
}

TEST_F(MilterSessionTest, EmailNameWinsOverTheUsersName) {
    policyd.add_mailbox("info@example.de", "Info Desk");
    policyd.add_user("anna", "Anna Schmidt", {"info@example.de"});
    auto s = make_session();
    EXPECT_EQ(submit(s, "anna", "info@example.de", {{"From", " info@example.de"}}), Status::Accept);
    ASSERT_EQ(ctx.changes.size(), 1u);
    EXPECT_EQ(ctx.changes[0].value, " Info Desk <info@example.de>");
}

TEST_F(MilterSessionTest, ForeignHostedHeaderFromIsRefused) {
    policyd.add_mailbox("info@example.de", "Info");
    policyd.add_mailbox("ceo@example.de", "CEO");
    policyd.add_user("anna", "Anna Schmidt", {"info@example.de"});
    auto s = make_session();
    EXPECT_EQ(submit(s, "anna", "info@example.de", {{"From", " Boss <ceo@example.de>"}}),
              Status::Reject);
    EXPECT_EQ(ctx.reply_code, "550");
    EXPECT_EQ(ctx.reply_enhanced, "5.7.1");
    EXPECT_EQ(ctx.reply_text,
              "From header address <ceo@example.de> is not owned by the authenticated login");
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_TRUE(policyd.recorded.empty());
}

TEST_F(MilterSessionTest, ForeignFromIsAllowedWhenEnforcementIsOff) {
    policyd.add_mailbox("info@example.de", "Info");
    policyd.add_mailbox("ceo@example.de", "CEO");
    policyd.add_user("anna", "Anna Schmidt", {"info@example.de"});
    auto s = make_session(false);
    EXPECT_EQ(submit(s, "anna", "info@example.de", {{"From", " Boss <ceo@example.de>"}}),
              Status::Accept);
    // Logged as sent by the envelope mailbox, but the foreign From keeps its name.
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_EQ(policyd.recorded.size(), 1u);
}

TEST_F(MilterSessionTest, UnhostedHeaderFromIsNotProtected) {
    policyd.add_mailbox("info@example.de", "Info");
    policyd.add_user("anna", "Anna Schmidt", {"info@example.de"});
    auto s = make_session();
    EXPECT_EQ(submit(s, "anna", "info@example.de", {{"From", " Anna <anna@gmail.example>"}}),
              Status::Accept);
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_EQ(policyd.recorded.size(), 1u);
}

TEST_F(MilterSessionTest, SeveralFromHeadersAreRefusedAndNoneIsRewritten) {
    policyd.add_mailbox("info@example.de", "Info");
    auto s = make_session();
    EXPECT_EQ(submit(s, "info@example.de", "info@example.de",
                     {{"From", " info@example.de"}, {"From", " info@example.de"}}),
              Status::Reject);
    EXPECT_EQ(ctx.reply_code, "550");
    EXPECT_EQ(ctx.reply_enhanced, "5.6.0");
    EXPECT_EQ(ctx.reply_text, "Message has 2 From headers (exactly one is allowed)");
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_TRUE(policyd.recorded.empty());
}

TEST_F(MilterSessionTest, NoFromAndUnparseableFromAreRefused) {
    policyd.add_mailbox("info@example.de", "Info");
    {
        auto s = make_session();
        EXPECT_EQ(submit(s, "info@example.de", "info@example.de", {{"Subject", " x"}}),
                  Status::Reject);
        EXPECT_EQ(ctx.reply_enhanced, "5.6.0");
        EXPECT_EQ(ctx.reply_text, "Message has no From header");
    }
    {
        auto s = make_session();
        EXPECT_EQ(submit(s, "info@example.de", "info@example.de", {{"From", " John Doe"}}),
                  Status::Reject);
        EXPECT_EQ(ctx.reply_enhanced, "5.6.0");
        EXPECT_EQ(ctx.reply_text.rfind("From header cannot be parsed: ", 0), 0u) << ctx.reply_text;
    }
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_TRUE(policyd.recorded.empty());
}

TEST_F(MilterSessionTest, ManyFromHeadersBeyondTheCapAreCountedExactly) {
    policyd.add_mailbox("info@example.de", "Info");
    auto s = make_session();
    std::vector<std::pair<std::string, std::string>> headers(5000, {"From", " info@example.de"});
    EXPECT_EQ(submit(s, "info@example.de", "info@example.de", headers), Status::Reject);
    EXPECT_EQ(ctx.reply_text, "Message has 5000 From headers (exactly one is allowed)");
    EXPECT_LE(s.message().from_values().size(), kMaxFromHeaders);
}

TEST_F(MilterSessionTest, PolicydUnreachableTempfailsWithoutRewriteOrActivity) {
    policyd.add_mailbox("info@example.de", "Info");
    policyd.lookup_tempfail = true;
    auto s = make_session();
    EXPECT_EQ(submit(s, "info@example.de", "info@example.de", {{"From", " info@example.de"}}),
              Status::Tempfail);
    EXPECT_EQ(ctx.reply_code, "451");
    EXPECT_EQ(ctx.reply_enhanced, "4.3.0");
    EXPECT_EQ(ctx.reply_text, kTempfailText);
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_TRUE(policyd.recorded.empty());
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("tempfail queue_id=4QUEUE1"), std::string::npos) << log[0];
}

TEST_F(MilterSessionTest, ActivityTempfailMeansNoRewrite) {
    policyd.add_mailbox("info@example.de", "Info");
    policyd.record_kind = ResultKind::Tempfail;
    auto s = make_session();
    EXPECT_EQ(submit(s, "info@example.de", "info@example.de", {{"From", " info@example.de"}}),
              Status::Tempfail);
    EXPECT_EQ(ctx.reply_code, "451");
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_EQ(log.size(), 1u);
}

TEST_F(MilterSessionTest, RefusedHeaderChangeTempfailsAfterTheIdempotentActivityWrite) {
    policyd.add_mailbox("info@example.de", "Info");
    ctx.change_fails = true;
    auto s = make_session();
    EXPECT_EQ(submit(s, "info@example.de", "info@example.de", {{"From", " info@example.de"}}),
              Status::Tempfail);
    EXPECT_EQ(ctx.reply_code, "451");
    ASSERT_EQ(policyd.recorded.size(), 1u);
}

TEST_F(MilterSessionTest, UnauthenticatedMailIsAcceptedAtMailFromWithoutAskingPolicyd) {
    policyd.add_mailbox("info@example.de", "Info");
    auto s = make_session();
    EXPECT_EQ(submit(s, "", "info@example.de", {{"From", " info@example.de"}}), Status::Accept);
    EXPECT_EQ(policyd.clients_made, 0);
    EXPECT_TRUE(ctx.changes.empty());
    EXPECT_TRUE(policyd.recorded.empty());
}

TEST_F(MilterSessionTest, OneClientPerConnectionAcrossMessages) {
    policyd.add_mailbox("info@example.de", "Info");
    auto s = make_session();
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(submit(s, "info@example.de", "info@example.de", {{"From", " info@example.de"}}),
                  Status::Accept);
    EXPECT_EQ(policyd.clients_made, 1);
    EXPECT_EQ(policyd.recorded.size(), 3u);
}

TEST_F(MilterSessionTest, ActivityCarriesEnvelopeRecipientsDecodedSubjectAndStableEventId) {
    policyd.add_mailbox("info@example.de", "Info");
    auto s = make_session();
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"From", " info@example.de"},
        {"Subject", " =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus\n Berlin"},
        {"Message-ID", " <m1@example.de>"}};
    ASSERT_EQ(submit(s, "info@example.de", "info@example.de", headers,
                     {"<a@example.org>", "<b@example.org>"}),
              Status::Accept);
    ASSERT_EQ(submit(s, "info@example.de", "info@example.de", headers), Status::Accept);
    ASSERT_EQ(policyd.recorded.size(), 2u);
    const client::RecordActivity& a = policyd.recorded[0];
    EXPECT_EQ(a.mailbox, "info@example.de");
    EXPECT_EQ(a.direction, "sent");
    EXPECT_EQ(a.sender, "info@example.de");
    EXPECT_EQ(a.recipients, "a@example.org,b@example.org");
    EXPECT_EQ(a.subject, "Grüße aus Berlin");
    EXPECT_EQ(a.message_id, "<m1@example.de>");
    EXPECT_EQ(a.occurred_at, "1795766400.000000");
    EXPECT_EQ(a.event_id.rfind("bw1-s-", 0), 0u);
    // The same Message-ID again: the same event_id, so policyd stores it once.
    EXPECT_EQ(policyd.recorded[1].event_id, a.event_id);
}

TEST_F(MilterSessionTest, WithoutMessageIdTheQueueIdIsUsed) {
    policyd.add_mailbox("info@example.de", "Info");
    auto s = make_session();
    ASSERT_EQ(submit(s, "info@example.de", "info@example.de", {{"From", " info@example.de"}}),
              Status::Accept);
    ASSERT_EQ(policyd.recorded.size(), 1u);
    EXPECT_EQ(policyd.recorded[0].message_id, "4QUEUE1");
}

TEST_F(MilterSessionTest, ThousandsOfRecipientsAreBoundedAndFitOneProtocolLine) {
    policyd.add_mailbox("info@example.de", "Info");
    auto s = make_session();
    std::vector<std::string> rcpts;
    for (int i = 0; i < 1500; ++i) rcpts.push_back("<r" + std::to_string(i) + "@example.org>");
    ASSERT_EQ(
        submit(s, "info@example.de", "info@example.de", {{"From", " info@example.de"}}, rcpts),
        Status::Accept);
    EXPECT_EQ(s.message().recipients().size(), kMaxRecipients);
    EXPECT_EQ(s.message().recipients_dropped(), 500u);
    ASSERT_EQ(policyd.recorded.size(), 1u);
    const std::string& r = policyd.recorded[0].recipients;
    EXPECT_LE(r.size(), kMaxEscapedLine);
    EXPECT_EQ(r.rfind("r0@example.org,r1@example.org", 0), 0u);
    EXPECT_NE(r.find(" more)"), std::string::npos);
}

TEST_F(MilterSessionTest, ReplyTextDoublesPercent) {
    EXPECT_EQ(reply_text_for_milter("<a%b@x>"), "<a%%b@x>");
}

}  // namespace
}  // namespace boxwarden::milter
