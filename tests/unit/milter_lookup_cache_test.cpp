// The milter's shared look-up cache, the caching/metering PolicydQueries,
// the connection pool and the outcome counters (milter/src/lookup_cache,
// caching_queries, queries_pool, milter_metrics).
#include <gtest/gtest.h>

#include "caching_queries.h"
#include "lookup_cache.h"
#include "milter_metrics.h"
#include "milter_session.h"
#include "queries_pool.h"

namespace boxwarden::milter {
namespace {

using namespace std::chrono_literals;
using client::ResultKind;
using Clock = LookupCache::Clock;

SubmissionLookup facts(ResultKind sender, ResultKind user, const std::string& name = "N") {
    SubmissionLookup f;
    f.sender.kind = sender;
    f.sender.value.delivery.address = "info@example.de";
    f.sender.value.email_name = name;
    f.user.kind = user;
    return f;
}

TEST(LookupCache, AnswersWithinTtlOnly) {
    LookupCache c(1000ms);
    const Clock::time_point t0{};
    c.store("info@example.de", "info@example.de", facts(ResultKind::Ok, ResultKind::NotFound), t0);
    auto hit = c.find("info@example.de", "info@example.de", t0 + 999ms);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->sender.value.email_name, "N");
    EXPECT_FALSE(c.find("info@example.de", "anna", t0 + 1ms));  // another login
    EXPECT_FALSE(c.find("info@example.de", "info@example.de", t0 + 1000ms));
    EXPECT_EQ(c.size(), 0u);  // the expired entry is gone
}

TEST(LookupCache, NeverKeepsTempfailOrError) {
    LookupCache c(1000ms);
    const Clock::time_point t0{};
    c.store("a", "l", facts(ResultKind::Tempfail, ResultKind::Ok), t0);
    c.store("b", "l", facts(ResultKind::Ok, ResultKind::Tempfail), t0);
    c.store("c", "l", facts(ResultKind::Error, ResultKind::Ok), t0);
    EXPECT_EQ(c.size(), 0u);
    c.store("d", "l", facts(ResultKind::NotFound, ResultKind::NotFound), t0);
    EXPECT_TRUE(c.find("d", "l", t0));
}

TEST(LookupCache, TtlZeroIsOff) {
    LookupCache c(0ms);
    EXPECT_FALSE(c.enabled());
    c.store("a", "l", facts(ResultKind::Ok, ResultKind::Ok), Clock::time_point{});
    EXPECT_FALSE(c.find("a", "l", Clock::time_point{}));
}

TEST(LookupCache, Bounded) {
    LookupCache c(1000ms, 3);
    const Clock::time_point t0{};
    for (int i = 0; i < 10; ++i)
        c.store("s" + std::to_string(i), "l", facts(ResultKind::Ok, ResultKind::Ok), t0);
    EXPECT_LE(c.size(), 3u);
    EXPECT_TRUE(c.find("s9", "l", t0));  // the newest is kept
    // Expired entries make room first.
    LookupCache d(1000ms, 2);
    d.store("old", "l", facts(ResultKind::Ok, ResultKind::Ok), t0);
    d.store("live", "l", facts(ResultKind::Ok, ResultKind::Ok), t0 + 500ms);
    d.store("new", "l", facts(ResultKind::Ok, ResultKind::Ok), t0 + 1200ms);
    EXPECT_TRUE(d.find("live", "l", t0 + 1200ms));
    EXPECT_TRUE(d.find("new", "l", t0 + 1200ms));
}

struct CountingQueries : PolicydQueries {
    int lookups = 0, mailboxes = 0, records = 0;
    ResultKind kind = ResultKind::Ok;
    SubmissionLookup lookup(const std::string&, const std::string&) override {
        ++lookups;
        return facts(kind, ResultKind::NotFound);
    }
    client::Result<client::MailboxReply> mailbox(const std::string&) override {
        ++mailboxes;
        return {};
    }
    client::Result<client::RecordedReply> record_activity(const client::RecordActivity&) override {
        ++records;
        client::Result<client::RecordedReply> r;
        r.kind = ResultKind::Ok;
        return r;
    }
};

TEST(CachingQueries, SecondLookupWithinTtlDoesNotReachPolicyd) {
    auto inner = std::make_unique<CountingQueries>();
    CountingQueries* p = inner.get();
    LookupCache cache(1000ms);
    MilterMetrics m;
    Clock::time_point now{};
    CachingQueries q(std::move(inner), &cache, &m, [&] { return now; });
    q.lookup("info@example.de", "info@example.de");
    q.lookup("info@example.de", "info@example.de");
    EXPECT_EQ(p->lookups, 1);
    now += 1001ms;
    q.lookup("info@example.de", "info@example.de");
    EXPECT_EQ(p->lookups, 2);
    EXPECT_EQ(m.cache_hits.load(), 1u);
    EXPECT_EQ(m.cache_misses.load(), 2u);
    EXPECT_EQ(m.lookup.snapshot().count, 2u);  // only the requests that reached policyd
    // Writes and the From look-ups always go to policyd.
    q.record_activity({});
    q.record_activity({});
    q.mailbox("ceo@example.de");
    EXPECT_EQ(p->records, 2);
    EXPECT_EQ(p->mailboxes, 1);
    EXPECT_EQ(m.record_activity.snapshot().count, 2u);
    EXPECT_EQ(m.mailbox.snapshot().count, 1u);
}

TEST(CachingQueries, TempfailIsAskedAgain) {
    auto inner = std::make_unique<CountingQueries>();
    CountingQueries* p = inner.get();
    p->kind = ResultKind::Tempfail;
    LookupCache cache(1000ms);
    CachingQueries q(std::move(inner), &cache, nullptr);
    q.lookup("a", "b");
    q.lookup("a", "b");
    EXPECT_EQ(p->lookups, 2);
}

TEST(QueriesPool, ReusesIdleConnectionsUpToTheBound) {
    int made = 0;
    QueriesPool pool(
        [&]() -> std::unique_ptr<PolicydQueries> {
            ++made;
            return std::make_unique<CountingQueries>();
        },
        2);
    auto a = pool.take();
    auto b = pool.take();
    auto c = pool.take();
    EXPECT_EQ(made, 3);
    PolicydQueries* first = a.get();
    pool.give_back(std::move(a));
    pool.give_back(std::move(b));
    pool.give_back(std::move(c));  // over the bound: dropped
    pool.give_back(nullptr);
    EXPECT_EQ(pool.idle(), 2u);
    auto d = pool.take();
    auto e = pool.take();
    EXPECT_EQ(made, 3);
    EXPECT_TRUE(d.get() == first || e.get() == first);
    pool.take();
    EXPECT_EQ(made, 4);
}

TEST(MilterMetrics, ExpositionNamesEveryOutcome) {
    MilterMetrics m;
    m.accepted = 3;
    m.rewritten = 2;
    m.cache_hits = 5;
    m.end_of_message.observe(400us);
    const std::string t = render_milter_metrics(m);
    EXPECT_NE(t.find("boxwarden_milter_messages_total{result=\"accepted\"} 3\n"), std::string::npos)
        << t;
    EXPECT_NE(t.find("boxwarden_milter_messages_total{result=\"unauthenticated\"} 0\n"),
              std::string::npos);
    EXPECT_NE(t.find("boxwarden_milter_from_rewritten_total 2\n"), std::string::npos);
    EXPECT_NE(t.find("boxwarden_milter_lookup_cache_total{result=\"hit\"} 5\n"), std::string::npos);
    EXPECT_NE(t.find("boxwarden_milter_policyd_request_duration_seconds_count{request="
                     "\"record_activity\"} 0\n"),
              std::string::npos);
    EXPECT_NE(t.find("boxwarden_milter_end_of_message_duration_seconds_bucket{le=\"0.0005\"} 1\n"),
              std::string::npos);
}

}  // namespace
}  // namespace boxwarden::milter
