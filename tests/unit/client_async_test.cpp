// PolicydClient's asynchronous requests (send_async / collect_*) against an
// in-process fake server: sending never waits for a reply, replies come
// back in order, every request sent gets exactly one reply (Tempfail when
// its connection broke or the wait timed out), and a synchronous call
// reads the replies still due before its own.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "boxwarden/policyd_client.h"
#include "client_test_server.h"

namespace boxwarden::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeServer;
using testing::ServerSide;
using SteadyClock = std::chrono::steady_clock;

AttrList entry(const std::string& event_id) {
    RecordAgentAction a{event_id, "info@example.de", "anna", "read", "1795766400.250000", "<m@x>"};
    return record_agent_action_request(a);
}

AttrList recorded(const AttrRequest& request) {
    return {{"status", "ok"}, {"event_id", std::string(request.find("event_id").value_or(""))}};
}

std::string event_id_of(const RawReply& r) {
    return std::string(r.attributes.find("event_id").value_or(""));
}

TEST(ClientAsync, SendingDoesNotWaitAndRepliesComeBackInOrder) {
    // The server answers only once it has all three requests: a client that
    // waited for each reply would hang here.
    FakeServer server([](ServerSide& s, int) {
        std::vector<AttrRequest> got;
        while (got.size() < 3) {
            auto r = s.read_request();
            if (!r) return;
            got.push_back(std::move(*r));
        }
        for (const auto& r : got) s.reply(recorded(r));
        while (s.read_request()) {
        }
    });
    PolicydClient c(server.path(), 2s);
    EXPECT_FALSE(c.send_async(entry("e1")).has_value());
    EXPECT_TRUE(c.collect_ready().empty());  // nothing can have been answered yet
    EXPECT_FALSE(c.send_async(entry("e2")).has_value());
    EXPECT_TRUE(c.collect_ready().empty());
    EXPECT_FALSE(c.send_async(entry("e3")).has_value());
    EXPECT_EQ(c.in_flight(), 3u);
    const auto replies = c.collect_all(deadline_in(2s));
    ASSERT_EQ(replies.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(replies[i].kind, ResultKind::Ok) << replies[i].error;
        EXPECT_EQ(event_id_of(replies[i]), "e" + std::to_string(i + 1));
    }
    EXPECT_EQ(c.in_flight(), 0u);
    EXPECT_TRUE(c.connected());
    EXPECT_EQ(server.connections(), 1);
}

TEST(ClientAsync, CollectReadyNeverWaitsAndATimedOutWaitIsTempfail) {
    FakeServer server([](ServerSide& s, int) {
        while (s.read_request()) {
        }  // never answers
    });
    PolicydClient c(server.path(), 2s);
    ASSERT_FALSE(c.send_async(entry("e1")).has_value());
    const auto t0 = SteadyClock::now();
    EXPECT_TRUE(c.collect_ready().empty());
    EXPECT_LT(SteadyClock::now() - t0, 100ms);
    EXPECT_EQ(c.in_flight(), 1u);
    const auto t1 = SteadyClock::now();
    const auto replies = c.collect_all(deadline_in(200ms));
    const auto waited = SteadyClock::now() - t1;
    EXPECT_GE(waited, 190ms);
    EXPECT_LT(waited, 1500ms);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].kind, ResultKind::Tempfail);
    EXPECT_NE(replies[0].error.find("timeout"), std::string::npos) << replies[0].error;
    // A late reply would be out of step: the connection is gone.
    EXPECT_FALSE(c.connected());
    EXPECT_EQ(c.in_flight(), 0u);
}

TEST(ClientAsync, ABrokenConnectionAnswersWhatWasInFlightWithTempfail) {
    FakeServer server([](ServerSide& s, int n) {
        if (n == 1) {
            auto first = s.read_request();
            auto second = s.read_request();
            if (first) s.reply(recorded(*first));
            return;  // closes without answering the second
        }
        while (auto r = s.read_request()) s.reply(recorded(*r));
    });
    PolicydClient c(server.path(), 2s);
    ASSERT_FALSE(c.send_async(entry("e1")).has_value());
    ASSERT_FALSE(c.send_async(entry("e2")).has_value());
    const auto replies = c.collect_all(deadline_in(2s));
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].kind, ResultKind::Ok);
    EXPECT_EQ(event_id_of(replies[0]), "e1");
    EXPECT_EQ(replies[1].kind, ResultKind::Tempfail);
    // The next request goes out on a new connection.
    ASSERT_FALSE(c.send_async(entry("e2")).has_value());
    const auto again = c.collect_all(deadline_in(2s));
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].kind, ResultKind::Ok);
    EXPECT_EQ(event_id_of(again[0]), "e2");
    EXPECT_EQ(server.connections(), 2);
}

TEST(ClientAsync, AConnectionTheServerClosedIsSeenOnTheNextSendAndReplaced) {
    std::atomic<bool> first_closed{false};
    FakeServer server([&](ServerSide& s, int n) {
        if (n == 1) {
            if (auto r = s.read_request()) s.reply(recorded(*r));
            ::shutdown(s.fd(), SHUT_RDWR);  // as after policyd's idle_timeout
            first_closed = true;
            return;
        }
        while (auto r = s.read_request()) s.reply(recorded(*r));
    });
    PolicydClient c(server.path(), 2s);
    ASSERT_FALSE(c.send_async(entry("e1")).has_value());
    ASSERT_EQ(c.collect_all(deadline_in(2s)).size(), 1u);
    while (!first_closed) std::this_thread::yield();
    // Not written into the dead connection (its reply would be lost).
    ASSERT_FALSE(c.send_async(entry("e2")).has_value());
    const auto r = c.collect_all(deadline_in(2s));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].kind, ResultKind::Ok) << r[0].error;
    EXPECT_EQ(server.connections(), 2);
}

TEST(ClientAsync, ASynchronousCallReadsTheDueRepliesFirstAndKeepsThem) {
    const AttrList user = {{"status", "ok"},
                           {"login", "anna"},
                           {"display_name", "Anna"},
                           {"activity_access", "0"},
                           {"mailboxes", "info@example.de"}};
    FakeServer server([&](ServerSide& s, int) {
        while (auto r = s.read_request()) {
            if (r->find("request") == "user")
                s.reply(user);
            else
                s.reply(recorded(*r));
        }
    });
    PolicydClient c(server.path(), 2s);
    ASSERT_FALSE(c.send_async(entry("e1")).has_value());
    ASSERT_FALSE(c.send_async(entry("e2")).has_value());
    const auto u = c.user("anna");
    ASSERT_EQ(u.kind, ResultKind::Ok) << u.error;
    ASSERT_EQ(u.value.mailboxes.size(), 1u);
    EXPECT_EQ(u.value.mailboxes[0], "info@example.de");
    const auto replies = c.collect_ready();
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(event_id_of(replies[0]), "e1");
    EXPECT_EQ(event_id_of(replies[1]), "e2");
    EXPECT_EQ(server.connections(), 1);
}

TEST(ClientAsync, CollectUntilLeavesTheNewestInFlight) {
    FakeServer server([](ServerSide& s, int) {
        while (auto r = s.read_request()) s.reply(recorded(*r));
    });
    PolicydClient c(server.path(), 2s);
    for (int i = 1; i <= 5; ++i)
        ASSERT_FALSE(c.send_async(entry("e" + std::to_string(i))).has_value());
    const auto some = c.collect_until(deadline_in(2s), 2);
    ASSERT_GE(some.size(), 3u);
    EXPECT_EQ(event_id_of(some[0]), "e1");
    EXPECT_LE(c.in_flight(), 2u);
    const auto rest = c.collect_all(deadline_in(2s));
    EXPECT_EQ(some.size() + rest.size(), 5u);
    EXPECT_EQ(event_id_of(rest.empty() ? some.back() : rest.back()), "e5");
}

TEST(ClientAsync, NoServerIsTempfailAtOnceAndNothingIsInFlight) {
    PolicydClient c("/nonexistent/boxwarden/query.sock", 2s);
    const auto t0 = SteadyClock::now();
    const auto r = c.send_async(entry("e1"));
    EXPECT_LT(SteadyClock::now() - t0, 500ms);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->kind, ResultKind::Tempfail);
    EXPECT_NE(r->error.find("connect"), std::string::npos) << r->error;
    EXPECT_EQ(c.in_flight(), 0u);
    EXPECT_TRUE(c.collect_ready().empty());
}

TEST(ClientAsync, CloseAnswersWhatWasInFlightWithTempfail) {
    FakeServer server([](ServerSide& s, int) {
        while (s.read_request()) {
        }
    });
    PolicydClient c(server.path(), 2s);
    ASSERT_FALSE(c.send_async(entry("e1")).has_value());
    c.close();
    const auto replies = c.collect_ready();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].kind, ResultKind::Tempfail);
}

}  // namespace
}  // namespace boxwarden::client
