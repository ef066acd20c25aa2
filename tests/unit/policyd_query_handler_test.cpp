// The internal protocol's request handlers, with fixed rows and fakes for the
// log spool and the out-of-office claim.
#include <gtest/gtest.h>

#include "policyd_fake_directory.h"
#include "query_handler.h"

namespace boxwarden::policyd {
namespace {

using testing::FakeDirectory;
using namespace std::chrono_literals;

class FakeSink final : public LogSink {
  public:
    bool accept = true;
    std::vector<LogEvent> events;
    std::vector<std::size_t> batches;  // sizes of the submit_all calls
    bool submit(const LogEvent& e) override {
        if (!accept) return false;
        events.push_back(e);
        return true;
    }
    std::vector<bool> submit_all(const std::vector<LogEvent>& all) override {
        batches.push_back(all.size());
        if (!accept) return std::vector<bool>(all.size(), false);
        events.insert(events.end(), all.begin(), all.end());
        return std::vector<bool>(all.size(), true);
    }
    LogWriterStats stats() const override {
        LogWriterStats s;
        s.submitted = events.size();
        s.spooled = 3;
        return s;
    }
};

class FakeOoo final : public OooClaimer {
  public:
    bool answer = true;
    bool database_down = false;
    bool released = true;
    std::vector<std::tuple<std::string, std::string, TimePoint>> calls;
    std::vector<std::tuple<std::string, std::string, std::string>> releases;
    OooClaimResult claim(const std::string& m, const std::string& s, TimePoint now) override {
        if (database_down) throw db::TemporaryFailure("server has gone away", 2006, "HY000");
        calls.emplace_back(m, s, now);
        return {answer, answer ? "token-" + std::to_string(calls.size()) : ""};
    }
    bool release(const std::string& m, const std::string& s, const std::string& token) override {
        if (database_down) throw db::TemporaryFailure("server has gone away", 2006, "HY000");
        if (token == "refused")
            throw db::RuleViolation("ooo_release_reply: claim token 'refused' is not a claim token",
                                    1644, "45000");
        releases.emplace_back(m, s, token);
        return released;
    }
};

std::string get(const AttrList& reply, const std::string& name) {
    for (const auto& [n, v] : reply)
        if (n == name) return v;
    return "<missing " + name + ">";
}

class PolicydQueryHandlerTest : public ::testing::Test {
  protected:
    PolicydQueryHandlerTest()
        : clock(db::parse_sql_datetime("2026-11-27 12:00:00").value()),
          settings(RuntimeSettings{}),
          handler(
              QueryDeps{dir, sink, ooo, clock, settings, stats, std::chrono::steady_clock::now()}) {
        auto& info = dir.add_mailbox("info@example.de");
        info.email_name = "Müller Immobilien";
        info.vip = true;
        info.ooo.enabled = true;
        info.ooo.subject = "Weg";
        info.ooo.body = "Line 1\nLine 2 100%";
        info.ooo.start = db::parse_sql_datetime("2026-11-01 00:00:00");
        info.ooo.interval_days = 3;
        auto& old = dir.add_mailbox("old@example.de", false);
        old.deactivated_at = db::parse_sql_datetime("2026-11-27 11:00:00");
        dir.add_user("anna", {"info@example.de", "old@example.de"});
    }
    AttrList ask(AttrList attrs) const { return handler.handle(AttrRequest{std::move(attrs)}); }

    FakeDirectory dir;
    FakeSink sink;
    FakeOoo ooo;
    ManualClock clock;
    RuntimeSettingsHolder settings;
    ServerStats stats;
    QueryHandler handler;
};

TEST_F(PolicydQueryHandlerTest, MailboxLookupReturnsEverythingMilterAndPluginNeed) {
    auto r = ask({{"request", "mailbox"}, {"address", "Info+x@Example.de"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "address"), "info@example.de");
    EXPECT_EQ(get(r, "domain_hosted"), "1");
    EXPECT_EQ(get(r, "exists"), "1");
    EXPECT_EQ(get(r, "active"), "1");
    EXPECT_EQ(get(r, "deactivated_at"), "");
    EXPECT_EQ(get(r, "verdict"), "deliver");
    EXPECT_EQ(get(r, "smtp_code"), "250");
    EXPECT_EQ(get(r, "enhanced_code"), "2.1.5");
    EXPECT_EQ(get(r, "email_name"), "Müller Immobilien");
    EXPECT_EQ(get(r, "vip"), "1");
    EXPECT_EQ(get(r, "ooo_enabled"), "1");
    EXPECT_EQ(get(r, "ooo_subject"), "Weg");
    EXPECT_EQ(get(r, "ooo_body"), "Line 1\nLine 2 100%");
    EXPECT_EQ(get(r, "ooo_start"), "2026-11-01 00:00:00.000000");
    EXPECT_EQ(get(r, "ooo_end"), "");
    EXPECT_EQ(get(r, "ooo_interval_days"), "3");
    // The body travels escaped on the wire.
    EXPECT_NE(encode_attributes(r, AttrEncoding::Escaped).find("ooo_body=Line 1%0ALine 2 100%25\n"),
              std::string::npos);
}

TEST_F(PolicydQueryHandlerTest, DisabledMailboxCarriesTheRefusal) {
    auto r = ask({{"request", "mailbox"}, {"address", "old@example.de"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "active"), "0");
    EXPECT_EQ(get(r, "deactivated_at"), "2026-11-27 11:00:00.000000");
    EXPECT_EQ(get(r, "verdict"), "reject-disabled");
    EXPECT_EQ(get(r, "smtp_code"), "550");
    EXPECT_EQ(get(r, "enhanced_code"), "5.2.1");
    EXPECT_EQ(get(r, "smtp_text"), "Mailbox disabled");
}

TEST_F(PolicydQueryHandlerTest, UnknownMailboxAndForeignDomainAreNotFound) {
    auto r = ask({{"request", "mailbox"}, {"address", "nobody@example.de"}});
    EXPECT_EQ(get(r, "status"), "notfound");
    EXPECT_EQ(get(r, "reason"), "no such mailbox");
    EXPECT_EQ(get(r, "domain_hosted"), "1");
    EXPECT_EQ(get(r, "exists"), "0");
    EXPECT_EQ(get(r, "verdict"), "reject-unknown");
    EXPECT_EQ(get(r, "enhanced_code"), "5.1.1");
    auto f = ask({{"request", "verdict"}, {"address", "a@example.org"}});
    EXPECT_EQ(get(f, "status"), "notfound");
    EXPECT_EQ(get(f, "reason"), "domain not hosted");
    EXPECT_EQ(get(f, "domain_hosted"), "0");
}

TEST_F(PolicydQueryHandlerTest, StaleCacheIsTempfail) {
    dir.fresh = Freshness{true, 1800s, 1800s};
    for (const char* req : {"mailbox", "verdict"}) {
        auto r = ask({{"request", req}, {"address", "info@example.de"}});
        EXPECT_EQ(get(r, "status"), "tempfail") << req;
        EXPECT_EQ(get(r, "verdict"), "tempfail");
        EXPECT_EQ(get(r, "smtp_code"), "451");
        EXPECT_EQ(get(r, "enhanced_code"), "4.3.0");
        EXPECT_EQ(get(r, "email_name"), "<missing email_name>");
    }
    EXPECT_EQ(get(ask({{"request", "user"}, {"login", "anna"}}), "status"), "tempfail");
}

TEST_F(PolicydQueryHandlerTest, VerdictRequestIsTheShortForm) {
    auto r = ask({{"request", "verdict"}, {"address", "info@example.de"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "verdict"), "deliver");
    EXPECT_EQ(get(r, "email_name"), "<missing email_name>");
}

TEST_F(PolicydQueryHandlerTest, UserLookup) {
    auto r = ask({{"request", "user"}, {"login", "Anna"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "login"), "anna");
    EXPECT_EQ(get(r, "display_name"), "User anna");
    EXPECT_EQ(get(r, "activity_access"), "0");
    EXPECT_EQ(get(r, "mailboxes"), "info@example.de,old@example.de");
    auto missing = ask({{"request", "user"}, {"login", "zed"}});
    EXPECT_EQ(get(missing, "status"), "notfound");
    EXPECT_EQ(get(missing, "reason"), "no such user");
}

TEST_F(PolicydQueryHandlerTest, RecordActivityHandsTheEventToTheSpool) {
    auto r = ask({{"request", "record_activity"},
                  {"event_id", "ev-1"},
                  {"mailbox", "INFO@example.de"},
                  {"direction", "received"},
                  {"occurred_at", "2026-11-27 10:00:00.5"},
                  {"message_id", "<m1@x>"},
                  {"sender", "a@example.org"},
                  {"recipients", "info@example.de"},
                  {"subject", "Grüße\n2"},
                  {"in_to_header", "0"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "event_id"), "ev-1");
    ASSERT_EQ(sink.events.size(), 1u);
    const auto& e = std::get<ActivityEvent>(sink.events[0]);
    EXPECT_EQ(e.event_id, "ev-1");
    EXPECT_EQ(e.mailbox_address, "info@example.de");
    EXPECT_EQ(e.direction, "received");
    EXPECT_EQ(db::format_sql_datetime(e.occurred_at), "2026-11-27 10:00:00.500000");
    EXPECT_EQ(e.subject, "Grüße\n2");
    EXPECT_FALSE(e.in_to_header);
}

TEST_F(PolicydQueryHandlerTest, RecordAgentActionAcceptsUnixTime) {
    auto r = ask({{"request", "record_agent_action"},
                  {"event_id", "ag-1"},
                  {"mailbox", "info@example.de"},
                  {"login", "anna"},
                  {"action", "read"},
                  {"occurred_at", "1795766400.25"},
                  {"message_id", "<m1@x>"}});
    EXPECT_EQ(get(r, "status"), "ok");
    ASSERT_EQ(sink.events.size(), 1u);
    const auto& e = std::get<AgentActionEvent>(sink.events[0]);
    EXPECT_EQ(e.login, "anna");
    EXPECT_EQ(e.action, "read");
    EXPECT_EQ(db::format_sql_datetime(e.occurred_at), "2026-11-27 08:00:00.250000");
}

// issue #11: a move names its target folder; a session opened with the
// mailbox's own password has no login.
TEST_F(PolicydQueryHandlerTest, RecordAgentActionTakesAFolderAndNoLogin) {
    auto r = ask({{"request", "record_agent_action"},
                  {"event_id", "ag-2"},
                  {"mailbox", "info@example.de"},
                  {"action", "moved"},
                  {"folder", "Archiv/2026"},
                  {"occurred_at", "2026-11-27 10:00:00"}});
    EXPECT_EQ(get(r, "status"), "ok");
    ASSERT_EQ(sink.events.size(), 1u);
    const auto& e = std::get<AgentActionEvent>(sink.events[0]);
    EXPECT_EQ(e.login, "");
    EXPECT_EQ(e.folder, "Archiv/2026");
    r = ask({{"request", "record_agent_action"},
             {"event_id", "ag-3"},
             {"mailbox", "info@example.de"},
             {"login", "anna"},
             {"action", "read"},
             {"folder", "Archiv"},
             {"occurred_at", "2026-11-27 10:00:00"}});
    EXPECT_EQ(get(r, "status"), "error");
    EXPECT_EQ(get(r, "reason"), "attribute folder is only for action moved");
    r = ask({{"request", "record_agent_action"},
             {"event_id", "ag-4"},
             {"mailbox", "info@example.de"},
             {"action", "moved"},
             {"folder", "Ar\nchiv"},
             {"occurred_at", "2026-11-27 10:00:00"}});
    EXPECT_EQ(get(r, "reason"), "attribute folder is not valid text");
    EXPECT_EQ(sink.events.size(), 1u);
}

TEST_F(PolicydQueryHandlerTest, SpoolFailureIsTempfail) {
    sink.accept = false;
    auto r = ask({{"request", "record_agent_action"},
                  {"event_id", "ag-1"},
                  {"mailbox", "info@example.de"},
                  {"login", "anna"},
                  {"action", "moved"},
                  {"occurred_at", "2026-11-27 10:00:00"}});
    EXPECT_EQ(get(r, "status"), "tempfail");
    EXPECT_EQ(get(r, "reason"), "log spool unavailable");
}

// Pipelined log writes of one connection: made durable together (one
// submit_all, so one spool fdatasync), answered one by one, in order.
TEST_F(PolicydQueryHandlerTest, HandleAllMakesPipelinedLogWritesDurableTogether) {
    auto action = [](const std::string& id, const std::string& what) {
        AttrList attrs = {{"request", "record_agent_action"},
                          {"event_id", id},
                          {"mailbox", "info@example.de"},
                          {"login", "anna"},
                          {"action", what},
                          {"occurred_at", "2026-11-27 10:00:00"}};
        return AttrRequest{std::move(attrs)};
    };
    const std::vector<AttrRequest> requests = {
        action("ag-1", "read"), action("ag-2", "flew"), action("ag-3", "answered"),
        AttrRequest{{{"request", "user"}, {"login", "anna"}}}};
    const auto replies = handler.handle_all(requests);
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(get(replies[0], "status"), "ok");
    EXPECT_EQ(get(replies[0], "event_id"), "ag-1");
    EXPECT_EQ(get(replies[1], "status"), "error");
    EXPECT_EQ(get(replies[2], "status"), "ok");
    EXPECT_EQ(get(replies[2], "event_id"), "ag-3");
    EXPECT_EQ(get(replies[3], "status"), "ok");
    EXPECT_EQ(get(replies[3], "login"), "anna");
    EXPECT_EQ(sink.batches, (std::vector<std::size_t>{2}));
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(std::get<AgentActionEvent>(sink.events[1]).event_id, "ag-3");

    sink.accept = false;
    const auto failed = handler.handle_all({action("ag-4", "read"), action("ag-5", "read")});
    ASSERT_EQ(failed.size(), 2u);
    for (const auto& r : failed) {
        EXPECT_EQ(get(r, "status"), "tempfail");
        EXPECT_EQ(get(r, "reason"), "log spool unavailable");
    }
}

TEST_F(PolicydQueryHandlerTest, BadRequestsGetPreciseErrors) {
    struct Case {
        AttrList attrs;
        std::string reason;
    };
    const std::vector<Case> cases = {
        {{}, "missing attribute request"},
        {{{"request", "frobnicate"}}, "unknown request 'frobnicate'"},
        {{{"request", "mailbox"}}, "missing attribute address"},
        {{{"request", "mailbox"}, {"address", "no-at-sign"}},
         "attribute address is not a valid mail address"},
        {{{"request", "record_activity"}, {"mailbox", "info@example.de"}},
         "missing attribute event_id"},
        {{{"request", "record_activity"},
          {"event_id", "e"},
          {"mailbox", "info@example.de"},
          {"direction", "sideways"},
          {"occurred_at", "2026-11-27 10:00:00"}},
         "attribute direction must be sent or received"},
        {{{"request", "record_activity"},
          {"event_id", "e"},
          {"mailbox", "info@example.de"},
          {"direction", "sent"},
          {"occurred_at", "yesterday"}},
         "attribute occurred_at is not a time (use 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC or Unix "
         "seconds, from 1000-01-01 to 9999-12-31 23:59:59.999999)"},
        {{{"request", "record_activity"},
          {"event_id", "e"},
          {"mailbox", "info@example.de"},
          {"direction", "sent"},
          {"occurred_at", "2026-11-27 10:00:00"},
          {"subject", "\xff"}},
         "attribute subject is not valid UTF-8"},
        {{{"request", "record_activity"},
          {"event_id", std::string(129, 'x')},
          {"mailbox", "info@example.de"}},
         "attribute event_id longer than 128 bytes"},
        {{{"request", "record_agent_action"},
          {"event_id", "e"},
          {"mailbox", "info@example.de"},
          {"login", "anna"},
          {"action", "printed"},
          {"occurred_at", "2026-11-27 10:00:00"}},
         "attribute action must be read, answered, deleted or moved"},
        {{{"request", "ooo_claim"}, {"mailbox", "info@example.de"}}, "missing attribute sender"},
    };
    for (const Case& c : cases) {
        auto r = ask(c.attrs);
        EXPECT_EQ(get(r, "status"), "error") << c.reason;
        EXPECT_EQ(get(r, "reason"), c.reason);
    }
    EXPECT_TRUE(sink.events.empty());
}

TEST_F(PolicydQueryHandlerTest, OooClaimAsksTheDatabase) {
    auto r =
        ask({{"request", "ooo_claim"}, {"mailbox", "info@example.de"}, {"sender", "<A@x.org>"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "should_reply"), "1");
    EXPECT_EQ(get(r, "claim_token"), "token-1");
    ASSERT_EQ(ooo.calls.size(), 1u);
    EXPECT_EQ(std::get<1>(ooo.calls[0]), "a@x.org");
    EXPECT_EQ(std::get<2>(ooo.calls[0]), clock.now());
    ooo.answer = false;
    r = ask({{"request", "ooo_claim"},
             {"mailbox", "info@example.de"},
             {"sender", "a@x.org"},
             {"now", "2026-12-01 00:00:00"}});
    EXPECT_EQ(get(r, "should_reply"), "0");
    EXPECT_EQ(get(r, "claim_token"), "<missing claim_token>");
    EXPECT_EQ(db::format_sql_datetime(std::get<2>(ooo.calls[1])), "2026-12-01 00:00:00.000000");
    ooo.database_down = true;
    r = ask({{"request", "ooo_claim"}, {"mailbox", "info@example.de"}, {"sender", "a@x.org"}});
    EXPECT_EQ(get(r, "status"), "tempfail");
    EXPECT_EQ(get(r, "reason"), "database unavailable");
}

TEST_F(PolicydQueryHandlerTest, OooClaimNeverAnswersAutomatedSendersOrTheMailboxItself) {
    for (const char* sender :
         {"", "MAILER-DAEMON@mx.example.org", "owner-list@lists.example.org",
          "list-request@lists.example.org", "noreply@shop.example", "Info+tag@Example.de"}) {
        auto r =
            ask({{"request", "ooo_claim"}, {"mailbox", "info@example.de"}, {"sender", sender}});
        EXPECT_EQ(get(r, "status"), "ok") << sender;
        EXPECT_EQ(get(r, "should_reply"), "0") << sender;
        EXPECT_NE(get(r, "reason"), "<missing reason>") << sender;
    }
    EXPECT_TRUE(ooo.calls.empty());  // nothing recorded in the database
    auto r = ask({{"request", "ooo_claim"},
                  {"mailbox", "info@example.de"},
                  {"sender", "postmaster@example.org"}});
    EXPECT_EQ(get(r, "should_reply"), "1");
    EXPECT_EQ(ooo.calls.size(), 1u);
}

TEST_F(PolicydQueryHandlerTest, OooReleaseGivesTheClaimBack) {
    auto r = ask({{"request", "ooo_release"},
                  {"mailbox", "Info+x@Example.de"},
                  {"sender", "<A@x.org>"},
                  {"claim_token", "token-7"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "released"), "1");
    ASSERT_EQ(ooo.releases.size(), 1u);
    // The mailbox and sender as ooo_claim passes them: the same row.
    EXPECT_EQ(ooo.releases[0], std::make_tuple(std::string("info@example.de"),
                                               std::string("a@x.org"), std::string("token-7")));
    ooo.released = false;
    r = ask({{"request", "ooo_release"},
             {"mailbox", "info@example.de"},
             {"sender", "a@x.org"},
             {"claim_token", "token-7"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "released"), "0");

    r = ask({{"request", "ooo_release"},
             {"mailbox", "info@example.de"},
             {"sender", "a@x.org"},
             {"claim_token", "refused"}});
    EXPECT_EQ(get(r, "status"), "error");
    EXPECT_EQ(get(r, "reason"),
              "refused by the database: ooo_release_reply: claim token 'refused' is not a claim "
              "token");
    ooo.database_down = true;
    r = ask({{"request", "ooo_release"},
             {"mailbox", "info@example.de"},
             {"sender", "a@x.org"},
             {"claim_token", "token-7"}});
    EXPECT_EQ(get(r, "status"), "tempfail");
    EXPECT_EQ(get(r, "reason"), "database unavailable");
}

TEST_F(PolicydQueryHandlerTest, OooReleaseRefusesIncompleteRequests) {
    struct Case {
        AttrList attrs;
        std::string reason;
    };
    const std::vector<Case> cases = {
        {{{"request", "ooo_release"}, {"sender", "a@x.org"}, {"claim_token", "t"}},
         "missing attribute mailbox"},
        {{{"request", "ooo_release"}, {"mailbox", "info@example.de"}, {"claim_token", "t"}},
         "missing attribute sender"},
        {{{"request", "ooo_release"},
          {"mailbox", "info@example.de"},
          {"sender", ""},
          {"claim_token", "t"}},
         "missing attribute sender"},
        {{{"request", "ooo_release"}, {"mailbox", "info@example.de"}, {"sender", "a@x.org"}},
         "missing attribute claim_token"},
        {{{"request", "ooo_release"},
          {"mailbox", "info@example.de"},
          {"sender", "a@x.org"},
          {"claim_token", std::string(65, 'a')}},
         "attribute claim_token longer than 64 bytes"},
        {{{"request", "ooo_release"},
          {"mailbox", "info@example.de"},
          {"sender", "a@x.org"},
          {"claim_token", "a\nb"}},
         "attribute claim_token is not valid text"},
    };
    for (const Case& c : cases) {
        auto r = ask(c.attrs);
        EXPECT_EQ(get(r, "status"), "error") << c.reason;
        EXPECT_EQ(get(r, "reason"), c.reason);
    }
    EXPECT_TRUE(ooo.releases.empty());
    EXPECT_TRUE(QueryHandler::is_blocking(AttrRequest{{{"request", "ooo_release"}}}));
    EXPECT_TRUE(QueryHandler::needs_database(AttrRequest{{{"request", "ooo_release"}}}));
}

TEST_F(PolicydQueryHandlerTest, StatusReportsCacheSpoolAndTraffic) {
    stats.policy_requests = 5;
    stats.query_requests = 2;
    stats.connections_open = 1;
    auto r = ask({{"request", "status"}});
    EXPECT_EQ(get(r, "status"), "ok");
    EXPECT_EQ(get(r, "cache_synced"), "1");
    EXPECT_EQ(get(r, "cache_stale"), "0");
    EXPECT_EQ(get(r, "cache_version"), "42");
    EXPECT_EQ(get(r, "mailboxes"), "2");
    EXPECT_EQ(get(r, "spool_depth"), "3");
    EXPECT_EQ(get(r, "requests_served"), "7");
    EXPECT_EQ(get(r, "connections"), "1");
}

TEST_F(PolicydQueryHandlerTest, OnlyWritesAndClaimsBlock) {
    EXPECT_TRUE(QueryHandler::is_blocking(AttrRequest{{{"request", "record_activity"}}}));
    EXPECT_TRUE(QueryHandler::is_blocking(AttrRequest{{{"request", "ooo_claim"}}}));
    EXPECT_FALSE(QueryHandler::is_blocking(AttrRequest{{{"request", "mailbox"}}}));
    EXPECT_FALSE(QueryHandler::is_blocking(AttrRequest{{}}));
}

TEST(PolicydProtocolTime, ParsesBothForms) {
    EXPECT_EQ(db::format_sql_datetime(*parse_protocol_time("2026-11-27 10:00:00")),
              "2026-11-27 10:00:00.000000");
    EXPECT_EQ(db::format_sql_datetime(*parse_protocol_time("0")), "1970-01-01 00:00:00.000000");
    EXPECT_EQ(db::format_sql_datetime(*parse_protocol_time("86400.000001")),
              "1970-01-02 00:00:00.000001");
    for (const char* bad : {"", "1.2.3", "12.", "1.1234567", "2026-11-27", "2026-13-01 00:00:00"})
        EXPECT_FALSE(parse_protocol_time(bad).has_value()) << bad;
}

TEST(PolicydProtocolTime, TheWholeDatetimeRangeAndNothingBeyond) {
    EXPECT_EQ(db::format_sql_datetime(*parse_protocol_time("9999-12-31 23:59:59.999999")),
              "9999-12-31 23:59:59.999999");
    EXPECT_EQ(db::format_sql_datetime(*parse_protocol_time("1600-01-01 00:00:00")),
              "1600-01-01 00:00:00.000000");
    EXPECT_EQ(db::format_sql_datetime(*parse_protocol_time("1000-01-01 00:00:00")),
              "1000-01-01 00:00:00.000000");
    EXPECT_EQ(db::format_sql_datetime(*parse_protocol_time("253402300799.999999")),
              "9999-12-31 23:59:59.999999");
    for (const char* bad : {"253402300800", "999999999999", "0999-12-31 23:59:59"})
        EXPECT_FALSE(parse_protocol_time(bad).has_value()) << bad;
}

TEST_F(PolicydQueryHandlerTest, RecordActivityKeepsLogTimesOrRefusesThem) {
    auto activity = [&](const char* at) {
        return ask({{"request", "record_activity"},
                    {"event_id", std::string("ev-") + at},
                    {"mailbox", "info@example.de"},
                    {"direction", "received"},
                    {"occurred_at", at}});
    };
    EXPECT_EQ(get(activity("2199-12-31 23:59:59.999999"), "status"), "ok");
    EXPECT_EQ(get(activity("1970-01-01 00:00:00"), "status"), "ok");
    ASSERT_EQ(sink.events.size(), 2u);
    EXPECT_EQ(db::format_sql_datetime(std::get<ActivityEvent>(sink.events[0]).occurred_at),
              "2199-12-31 23:59:59.999999");
    EXPECT_EQ(db::format_sql_datetime(std::get<ActivityEvent>(sink.events[1]).occurred_at),
              "1970-01-01 00:00:00.000000");
    // Valid times the log tables refuse are refused here, never spooled.
    for (const char* at : {"9999-12-31 23:59:59", "1600-01-01 00:00:00", "2200-01-01 00:00:00",
                           "1969-12-31 23:59:59.999999"}) {
        auto r = activity(at);
        EXPECT_EQ(get(r, "status"), "error") << at;
        EXPECT_NE(get(r, "reason").find("outside the log time range"), std::string::npos) << at;
    }
    auto r = activity("253402300800");
    EXPECT_EQ(get(r, "status"), "error");
    EXPECT_NE(get(r, "reason").find("attribute occurred_at is not a time"), std::string::npos);
    EXPECT_NE(get(r, "reason").find("9999-12-31 23:59:59.999999"), std::string::npos);
    EXPECT_EQ(sink.events.size(), 2u);
}

TEST_F(PolicydQueryHandlerTest, OooEndInYear9999IsReportedAsStored) {
    dir.mailboxes["info@example.de"].ooo.end = db::parse_sql_datetime("9999-12-31 00:00:00");
    auto r = ask({{"request", "mailbox"}, {"address", "info@example.de"}});
    EXPECT_EQ(get(r, "ooo_end"), "9999-12-31 00:00:00.000000");
}

TEST_F(PolicydQueryHandlerTest, LogWritesNameTheMailboxTheLookupFinds) {
    dir.add_mailbox("c+d@example.de");
    for (const char* given : {"c+d@example.de", "C+D@Example.de.", "info+x@example.de"}) {
        auto r = ask({{"request", "record_agent_action"},
                      {"event_id", std::string("ag-") + given},
                      {"mailbox", given},
                      {"login", "anna"},
                      {"action", "read"},
                      {"occurred_at", "2026-11-27 10:00:00"}});
        EXPECT_EQ(get(r, "status"), "ok") << given;
    }
    ASSERT_EQ(sink.events.size(), 3u);
    EXPECT_EQ(std::get<AgentActionEvent>(sink.events[0]).mailbox_address, "c+d@example.de");
    EXPECT_EQ(std::get<AgentActionEvent>(sink.events[1]).mailbox_address, "c+d@example.de");
    EXPECT_EQ(std::get<AgentActionEvent>(sink.events[2]).mailbox_address, "info@example.de");
}

}  // namespace
}  // namespace boxwarden::policyd
