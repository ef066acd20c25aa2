// boxwarden_client against the real boxwarden-policyd: every typed request
// of the internal protocol, pipelining, the Postfix policy client, and a
// reconnect after the daemon restarted.
#include <gtest/gtest.h>

#include "boxwarden/policy_client.h"
#include "boxwarden/policyd_client.h"
#include "boxwarden/policyd_client_c.h"
#include "policyd_harness.h"
#include "test_database.h"

namespace boxwarden::policyd::testing {
namespace {

using namespace std::chrono_literals;
using client::ResultKind;

class PolicydClientIntegrationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = test_dir("client-" +
                       std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())
                           .substr(0, 20));
        db = scratch.connect();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        for (const char* a : {"info@example.de", "old@example.de"})
            db->execute("CALL create_mailbox(?)", {std::string(a)});
        db->execute("UPDATE mailbox SET active = 0 WHERE address = 'old@example.de'");
        db->execute("INSERT INTO user_account (login, display_name) VALUES ('anna', 'Anna')");
        db->execute("CALL assign_user('info@example.de', 'anna')");
        PolicydProcess::Options o;
        o.dir = dir;
        o.db_socket = boxwarden::testing::test_mysql_socket();
        o.db_name = scratch.name();
        daemon = std::make_unique<PolicydProcess>(o);
        ASSERT_TRUE(daemon->start()) << daemon->log();
    }
    void TearDown() override {
        if (daemon) {
            EXPECT_EQ(daemon->stop(), 0) << daemon->log();
        }
    }

    boxwarden::testing::ScratchDatabase scratch;
    std::unique_ptr<db::Connection> db;
    std::string dir;
    std::unique_ptr<PolicydProcess> daemon;
};

TEST_F(PolicydClientIntegrationTest, TypedRequestsAgainstTheDaemon) {
    client::PolicydClient c(daemon->query_socket(), 5s);
    auto v = c.verdict("Info+tag@example.de");
    ASSERT_EQ(v.kind, ResultKind::Ok) << v.error;
    EXPECT_EQ(v.value.address, "info@example.de");
    EXPECT_TRUE(v.value.deliver());

    auto m = c.mailbox("nobody@example.de");
    EXPECT_EQ(m.kind, ResultKind::NotFound);
    EXPECT_EQ(m.error, "no such mailbox");
    EXPECT_EQ(m.value.delivery.enhanced_code, "5.1.1");

    auto u = c.user("ANNA");
    ASSERT_TRUE(u.ok()) << u.error;
    EXPECT_EQ(u.value.mailboxes, std::vector<std::string>{"info@example.de"});
    EXPECT_EQ(c.user("nobody").kind, ResultKind::NotFound);

    client::RecordActivity a;
    a.event_id = "client-it-1";
    a.mailbox = "info@example.de";
    a.direction = "received";
    a.occurred_at = client::format_protocol_time(std::chrono::system_clock::now());
    a.subject = "Zeile 1\nZeile 2";
    auto rec = c.record_activity(a);
    ASSERT_TRUE(rec.ok()) << rec.error;
    EXPECT_EQ(rec.value.event_id, "client-it-1");

    a.direction = "sideways";
    auto bad = c.record_activity(a);
    EXPECT_EQ(bad.kind, ResultKind::Error);
    EXPECT_EQ(bad.error, "attribute direction must be sent or received");

    auto st = c.status();
    ASSERT_TRUE(st.ok()) << st.error;
    EXPECT_TRUE(st.value.cache_synced);
    EXPECT_EQ(st.value.mailboxes, 2);
    EXPECT_EQ(st.value.connections, 1);  // one connection for all of the above
}

TEST_F(PolicydClientIntegrationTest, PipelinedRepliesInOrder) {
    client::PolicydClient c(daemon->query_socket(), 5s);
    auto r = c.pipeline({client::verdict_request("old@example.de"), client::status_request(),
                         client::verdict_request("info@example.de")});
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(client::decode_verdict(r[0]).value.verdict, "reject-disabled");
    EXPECT_TRUE(client::decode_status(r[1]).ok());
    EXPECT_EQ(client::decode_verdict(r[2]).value.verdict, "deliver");
}

TEST_F(PolicydClientIntegrationTest, ReconnectsAfterTheDaemonRestarted) {
    client::PolicydClient c(daemon->query_socket(), 5s);
    ASSERT_TRUE(c.status().ok());
    ASSERT_EQ(daemon->stop(), 0);
    EXPECT_EQ(c.status().kind, ResultKind::Tempfail);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    auto r = c.verdict("info@example.de");
    EXPECT_TRUE(r.ok()) << r.error;
}

TEST_F(PolicydClientIntegrationTest, PolicyClientAndCApi) {
    client::PolicyClient p(daemon->policy_socket(), 5s);
    auto r = p.ask(client::policy_rcpt_request("old@example.de", "a@example.org"));
    ASSERT_TRUE(r.ok()) << r.io.error;
    EXPECT_EQ(r.action, "550 5.2.1 Mailbox disabled");

    char* create_error = nullptr;
    bw_client* c = bw_client_create(daemon->query_socket().c_str(), 5000, &create_error);
    ASSERT_NE(c, nullptr) << create_error;
    bw_verdict v{};
    const char* error = nullptr;
    EXPECT_EQ(bw_client_verdict(c, "old@example.de", &v, &error), 1) << error;
    EXPECT_STREQ(v.verdict, "reject-disabled");
    EXPECT_EQ(v.smtp_code, 550);
    int should_reply = -1;
    EXPECT_EQ(bw_client_ooo_claim(c, "info@example.de", "bob@example.org", nullptr, &should_reply,
                                  &error),
              1)
        << error;
    EXPECT_EQ(should_reply, 0);  // out-of-office is off
    bw_client_destroy(&c);
}

}  // namespace
}  // namespace boxwarden::policyd::testing
