// PolicydClient against an in-process fake server: framing, timeouts,
// reconnects, pipelining, the four result kinds and broken replies.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>

#include "boxwarden/policyd_client.h"
#include "boxwarden/query_protocol.h"
#include "client_test_server.h"

namespace boxwarden::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeServer;
using testing::ServerSide;

const AttrList kDeliver = {{"status", "ok"},           {"address", "info@example.de"},
                           {"domain_hosted", "1"},     {"exists", "1"},
                           {"verdict", "deliver"},     {"smtp_code", "250"},
                           {"enhanced_code", "2.1.5"}, {"smtp_text", "OK"}};

// Answers every request on every connection with `reply`.
FakeServer::Handler always(AttrList reply) {
    return [reply](ServerSide& s, int) {
        while (s.read_request()) s.reply(reply);
    };
}

TEST(ClientPolicydClient, VerdictRequestAndReplyAreTyped) {
    std::optional<AttrRequest> seen;
    FakeServer server([&](ServerSide& s, int) {
        seen = s.read_request();
        s.reply(kDeliver);
    });
    PolicydClient c(server.path(), 2s);
    auto r = c.verdict("Info+x@Example.de");
    ASSERT_EQ(r.kind, ResultKind::Ok) << r.error;
    EXPECT_EQ(r.value.address, "info@example.de");
    EXPECT_EQ(r.value.domain_hosted, true);
    EXPECT_EQ(r.value.exists, true);
    EXPECT_TRUE(r.value.deliver());
    EXPECT_EQ(r.value.smtp_code, 250);
    EXPECT_EQ(r.value.enhanced_code, "2.1.5");
    EXPECT_EQ(r.value.smtp_text, "OK");
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->attributes,
              (AttrList{{"request", "verdict"}, {"address", "Info+x@Example.de"}}));
}

TEST(ClientPolicydClient, MailboxReplyDecodesEscapedBodyAndEveryField) {
    AttrList reply = kDeliver;
    reply.insert(reply.end(), {{"active", "1"},
                               {"deactivated_at", ""},
                               {"email_name", "Müller"},
                               {"vip", "1"},
                               {"ooo_enabled", "1"},
                               {"ooo_subject", "Weg"},
                               {"ooo_body", "Hallo,\n\n100% weg."},
                               {"ooo_start", "2026-11-26 11:36:37.416384"},
                               {"ooo_end", ""},
                               {"ooo_interval_days", "7"}});
    FakeServer server(always(reply));
    PolicydClient c(server.path(), 2s);
    auto r = c.mailbox("info@example.de");
    ASSERT_EQ(r.kind, ResultKind::Ok) << r.error;
    EXPECT_TRUE(r.value.active);
    EXPECT_EQ(r.value.email_name, "Müller");
    EXPECT_TRUE(r.value.vip);
    EXPECT_EQ(r.value.ooo_body, "Hallo,\n\n100% weg.");
    EXPECT_EQ(r.value.ooo_start, "2026-11-26 11:36:37.416384");
    EXPECT_EQ(r.value.ooo_end, "");
    EXPECT_EQ(r.value.ooo_interval_days, 7);
}

TEST(ClientPolicydClient, NotFoundKeepsTheVerdictFields) {
    FakeServer server(always({{"status", "notfound"},
                              {"reason", "no such mailbox"},
                              {"address", "x@example.de"},
                              {"domain_hosted", "1"},
                              {"exists", "0"},
                              {"verdict", "reject-unknown"},
                              {"smtp_code", "550"},
                              {"enhanced_code", "5.1.1"},
                              {"smtp_text", "Mailbox unknown"}}));
    PolicydClient c(server.path(), 2s);
    auto r = c.mailbox("x@example.de");
    EXPECT_EQ(r.kind, ResultKind::NotFound);
    EXPECT_EQ(r.error, "no such mailbox");
    EXPECT_EQ(r.value.delivery.verdict, "reject-unknown");
    EXPECT_EQ(r.value.delivery.smtp_code, 550);
    EXPECT_EQ(r.value.delivery.exists, false);
}

TEST(ClientPolicydClient, TempfailReplyHasEmptyFlagsAndReason) {
    FakeServer server(always({{"status", "tempfail"},
                              {"reason", "configuration cache is older than the cutoff"},
                              {"address", "x@example.de"},
                              {"domain_hosted", ""},
                              {"exists", ""},
                              {"verdict", "tempfail"},
                              {"smtp_code", "451"},
                              {"enhanced_code", "4.3.0"},
                              {"smtp_text", "Mailbox state temporarily unavailable"}}));
    PolicydClient c(server.path(), 2s);
    auto r = c.verdict("x@example.de");
    EXPECT_EQ(r.kind, ResultKind::Tempfail);
    EXPECT_EQ(r.error, "configuration cache is older than the cutoff");
    EXPECT_FALSE(r.value.domain_hosted.has_value());
    EXPECT_EQ(r.value.smtp_code, 451);
}

TEST(ClientPolicydClient, ErrorReplyCarriesTheReason) {
    FakeServer server(always({{"status", "error"}, {"reason", "missing attribute login"}}));
    PolicydClient c(server.path(), 2s);
    auto r = c.user("");
    EXPECT_EQ(r.kind, ResultKind::Error);
    EXPECT_EQ(r.error, "missing attribute login");
}

TEST(ClientPolicydClient, UserMailboxesAreSplit) {
    FakeServer server(always({{"status", "ok"},
                              {"login", "anna"},
                              {"display_name", "Anna"},
                              {"activity_access", "1"},
                              {"mailboxes", "ceo@example.de,info@example.de"}}));
    PolicydClient c(server.path(), 2s);
    auto r = c.user("Anna");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.value.mailboxes, (std::vector<std::string>{"ceo@example.de", "info@example.de"}));
}

TEST(ClientPolicydClient, NoServerIsTempfailWithTheConnectError) {
    PolicydClient c("/nonexistent/dir/query.sock", 500ms);
    auto r = c.status();
    EXPECT_EQ(r.kind, ResultKind::Tempfail);
    EXPECT_NE(r.error.find("connect to /nonexistent/dir/query.sock"), std::string::npos) << r.error;
}

TEST(ClientPolicydClient, ServerThatNeverAnswersTimesOutAtTheDeadline) {
    FakeServer server([](ServerSide& s, int) {
        while (s.read_request()) {
        }
    });
    PolicydClient c(server.path(), 300ms);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = c.verdict("a@example.de");
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.kind, ResultKind::Tempfail);
    EXPECT_NE(r.error.find("timeout"), std::string::npos) << r.error;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);
    // The late reply must not be taken for the next request's.
    EXPECT_FALSE(c.connected());
}

TEST(ClientPolicydClient, ReconnectsWhenTheServerClosedAnIdleConnection) {
    // Each connection answers one request and closes, as after idle_timeout.
    FakeServer server([](ServerSide& s, int) {
        if (s.read_request()) s.reply(kDeliver);
    });
    PolicydClient c(server.path(), 2s);
    ASSERT_TRUE(c.verdict("a@example.de").ok());
    std::this_thread::sleep_for(50ms);  // let the close arrive
    auto r = c.verdict("a@example.de");
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(server.connections(), 2);
}

TEST(ClientPolicydClient, ClosedConnectionIsReplacedBeforeWritingEvenForOooClaim) {
    // The first connection answers once, then closes its sending side (as
    // the daemon's idle close looks before the client reads it) and counts
    // what still arrives. Writing the claim there would lose its reply.
    std::atomic<int> late_requests{0};
    FakeServer server([&](ServerSide& s, int n) {
        if (n == 1) {
            if (s.read_request()) s.reply(kDeliver);
            ::shutdown(s.fd(), SHUT_WR);
            while (s.read_request()) ++late_requests;
            return;
        }
        while (s.read_request()) s.reply({{"status", "ok"}, {"should_reply", "1"}});
    });
    PolicydClient c(server.path(), 2s);
    ASSERT_TRUE(c.verdict("a@example.de").ok());
    std::this_thread::sleep_for(50ms);  // let the end of file arrive
    auto r = c.ooo_claim({"sales@example.de", "bob@example.org", ""});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_TRUE(r.value.should_reply);
    EXPECT_EQ(late_requests.load(), 0);
    EXPECT_EQ(server.connections(), 2);
}

TEST(ClientPolicydClient, LostReplyIsRetriedOnceForIdempotentRequests) {
    // The first connection takes the request and closes without a reply.
    std::atomic<int> requests{0};
    FakeServer server([&](ServerSide& s, int n) {
        while (s.read_request()) {
            ++requests;
            if (n == 1) return;
            s.reply({{"status", "ok"}, {"event_id", "ev-1"}});
        }
    });
    PolicydClient c(server.path(), 2s);
    RecordActivity a;
    a.event_id = "ev-1";
    auto r = c.record_activity(a);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.value.event_id, "ev-1");
    EXPECT_EQ(requests.load(), 2);
    EXPECT_EQ(server.connections(), 2);
}

TEST(ClientPolicydClient, OooClaimIsNotResentOnceWritten) {
    std::atomic<int> requests{0};
    FakeServer server([&](ServerSide& s, int) {
        if (s.read_request()) ++requests;  // and close: the reply is lost
    });
    PolicydClient c(server.path(), 2s);
    auto r = c.ooo_claim({"sales@example.de", "bob@example.org", ""});
    EXPECT_EQ(r.kind, ResultKind::Tempfail);
    EXPECT_NE(r.error.find("closed before the reply"), std::string::npos) << r.error;
    EXPECT_EQ(requests.load(), 1);
}

TEST(ClientPolicydClient, OooClaimTokenAndReleaseWhichIsResentAfterALostReply) {
    std::vector<std::map<std::string, std::string>> seen;
    std::mutex mu;
    FakeServer server([&](ServerSide& s, int n) {
        while (auto r = s.read_request()) {
            std::map<std::string, std::string> m;
            for (const auto& [k, v] : r->attributes) m[std::string(k)] = std::string(v);
            {
                std::lock_guard lock(mu);
                seen.push_back(m);
            }
            if (m["request"] == "ooo_claim") {
                s.reply({{"status", "ok"}, {"should_reply", "1"}, {"claim_token", "tok-1"}});
            } else {
                if (n == 1) return;  // the release's reply is lost: closed
                s.reply({{"status", "ok"}, {"released", "1"}});
            }
        }
    });
    PolicydClient c(server.path(), 2s);
    auto claim = c.ooo_claim({"sales@example.de", "bob@example.org", ""});
    ASSERT_TRUE(claim.ok()) << claim.error;
    EXPECT_EQ(claim.value.claim_token, "tok-1");
    auto r = c.ooo_release({"sales@example.de", "bob@example.org", claim.value.claim_token});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_TRUE(r.value.released);
    ASSERT_EQ(seen.size(), 3u);  // claim, release, the release once more
    EXPECT_EQ(seen[2].at("request"), "ooo_release");
    EXPECT_EQ(seen[2].at("mailbox"), "sales@example.de");
    EXPECT_EQ(seen[2].at("sender"), "bob@example.org");
    EXPECT_EQ(seen[2].at("claim_token"), "tok-1");
    EXPECT_EQ(server.connections(), 2);
}

TEST(ClientPolicydClient, OooReleaseReplyWithoutReleasedIsMalformed) {
    FakeServer server([&](ServerSide& s, int) {
        while (s.read_request()) s.reply({{"status", "ok"}});
    });
    PolicydClient c(server.path(), 2s);
    auto r = c.ooo_release({"sales@example.de", "bob@example.org", "t"});
    EXPECT_EQ(r.kind, ResultKind::Error);
    EXPECT_EQ(r.error, "malformed reply: missing attribute released");
}

TEST(ClientPolicydClient, PipelinedRepliesComeBackInOrder) {
    std::atomic<int> seen_before_first_reply{0};
    FakeServer server([&](ServerSide& s, int) {
        // Read all three before answering, to prove they were pipelined.
        std::vector<AttrRequest> got;
        for (int i = 0; i < 3; ++i)
            if (auto r = s.read_request()) got.push_back(*r);
        seen_before_first_reply = static_cast<int>(got.size());
        for (const auto& r : got)
            s.reply({{"status", "ok"}, {"event_id", std::string(*r.find("address"))}});
    });
    PolicydClient c(server.path(), 2s);
    auto replies = c.pipeline(
        {verdict_request("one@x.de"), verdict_request("two@x.de"), verdict_request("three@x.de")});
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(seen_before_first_reply.load(), 3);
    EXPECT_EQ(replies[0].attributes.find("event_id"), "one@x.de");
    EXPECT_EQ(replies[1].attributes.find("event_id"), "two@x.de");
    EXPECT_EQ(replies[2].attributes.find("event_id"), "three@x.de");
}

TEST(ClientPolicydClient, PipelineBrokenMidwayFailsTheRest) {
    FakeServer server([](ServerSide& s, int) {
        if (s.read_request()) s.reply(kDeliver);  // then close
    });
    PolicydClient c(server.path(), 2s);
    auto replies = c.pipeline({verdict_request("a@x.de"), verdict_request("b@x.de")});
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].kind, ResultKind::Ok);
    EXPECT_EQ(replies[1].kind, ResultKind::Tempfail);
}

// Broken replies become Error, never a crash; the connection is dropped.
// (The parameter is an index: the cases are too large to print.)
const std::vector<std::pair<std::string, std::string>>& broken_replies() {
    static const std::vector<std::pair<std::string, std::string>> cases = {
        {"garbage without equals\n\n", "line without '='"},
        {"status=ok\naddress=" + std::string(2 << 20, 'a') + "\n\n", "line too long"},
        {"status=ok\nbad=%zz\n\n", "bad %-escape"},
        {"address=a@example.de\n\n", "no status attribute"},
        {"status=maybe\n\n", "unknown status 'maybe'"},
        {"status=ok\naddress=a@example.de\n\n", "missing attribute domain_hosted"},
        {"status=ok\naddress=a\ndomain_hosted=yes\nexists=1\nverdict=deliver\n"
         "smtp_code=250\nenhanced_code=2.1.5\nsmtp_text=OK\n\n",
         "attribute domain_hosted is not 0 or 1"},
        {"status=ok\naddress=a\ndomain_hosted=1\nexists=1\nverdict=deliver\n"
         "smtp_code=2x0\nenhanced_code=2.1.5\nsmtp_text=OK\n\n",
         "attribute smtp_code is not a number"},
    };
    return cases;
}

class ClientBrokenReply : public ::testing::TestWithParam<size_t> {};

TEST_P(ClientBrokenReply, IsAnError) {
    const auto& [bytes, expected] = broken_replies().at(GetParam());
    FakeServer server([&](ServerSide& s, int) {
        if (s.read_request()) s.write(bytes);
    });
    PolicydClient c(server.path(), 2s);
    auto r = c.verdict("a@example.de");
    EXPECT_EQ(r.kind, ResultKind::Error);
    EXPECT_NE(r.error.find(expected), std::string::npos) << r.error;
}

INSTANTIATE_TEST_SUITE_P(Replies, ClientBrokenReply, ::testing::Range<size_t>(0, 8));

TEST(ClientPolicydClient, RequestsUseTheSchemaNames) {
    RecordAgentAction a{"ev", "m@x.de", "anna", "read", "1795766400.250000", ""};
    const AttrList r = record_agent_action_request(a);
    ASSERT_EQ(r.size(), 6u);  // message_id left out when empty
    EXPECT_EQ(r[0], (std::pair<std::string, std::string>{"request", "record_agent_action"}));
    EXPECT_EQ(r[4].first, query_protocol::field::action);
    EXPECT_EQ(format_protocol_time(std::chrono::system_clock::time_point{} +
                                   std::chrono::microseconds(1795766400250000)),
              "1795766400.250000");
}

}  // namespace
}  // namespace boxwarden::client
