// MailboxCache against a real database: full load, incremental sync of plain
// SQL edits, full reload on a change_log gap, and ageing while the database
// cannot answer.
#include <gtest/gtest.h>

#include "boxwarden/clock.h"
#include "mailbox_cache.h"
#include "test_database.h"

namespace boxwarden::policyd {
namespace {

using boxwarden::testing::SqlTest;
using namespace std::chrono_literals;

class PolicydCacheTest : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de'), ('example.test')");
        db->execute("CALL create_mailbox('info@example.de')");
        db->execute("CALL create_mailbox('sales@example.de')");
        db->execute("CALL create_mailbox('support@example.test')");
        db->execute(
            "INSERT INTO user_account (login, display_name, activity_access) VALUES "
            "('anna', 'Anna', 1), ('bob', 'Bob', 0)");
        db->execute("CALL assign_user('info@example.de', 'anna')");
        cache_conn = scratch->connect();
    }
    std::optional<MailboxFacts> mailbox(const std::string& a) { return cache.read().mailbox(a); }

    ManualClock clock;
    MailboxCache cache{clock};
    std::unique_ptr<db::Connection> cache_conn;
};

TEST_F(PolicydCacheTest, FullLoadHoldsEveryRow) {
    auto r = cache.sync(*cache_conn);
    EXPECT_EQ(r.kind, SyncResult::Kind::Full);
    const CacheCounts c = cache.counts();
    EXPECT_EQ(c.domains, 2u);
    EXPECT_EQ(c.mailboxes, 3u);
    EXPECT_EQ(c.users, 2u);
    EXPECT_EQ(c.assignments, 1u);
    EXPECT_GT(c.version, 0u);
    auto reader = cache.read();
    EXPECT_TRUE(reader.domain_hosted("example.test"));
    EXPECT_FALSE(reader.domain_hosted("example.org"));
    ASSERT_TRUE(reader.mailbox("support@example.test").has_value());
    EXPECT_TRUE(reader.assigned("anna", "info@example.de"));
    EXPECT_FALSE(reader.assigned("bob", "info@example.de"));
    EXPECT_EQ(reader.user("anna")->mailboxes, std::vector<std::string>{"info@example.de"});
}

TEST_F(PolicydCacheTest, PlainSqlDeactivationIsSyncedIncrementally) {
    cache.sync(*cache_conn);
    db->execute("UPDATE mailbox SET active = 0 WHERE address = 'info@example.de'");
    auto r = cache.sync(*cache_conn);
    EXPECT_EQ(r.kind, SyncResult::Kind::Incremental);
    EXPECT_EQ(r.changed_rows, 1u);
    auto m = mailbox("info@example.de");
    ASSERT_TRUE(m.has_value());
    EXPECT_FALSE(m->active);
    EXPECT_TRUE(m->deactivated_at.has_value());
    db->execute("UPDATE mailbox SET active = 1 WHERE address = 'info@example.de'");
    cache.sync(*cache_conn);
    EXPECT_TRUE(mailbox("info@example.de")->active);
    EXPECT_FALSE(mailbox("info@example.de")->deactivated_at.has_value());
}

TEST_F(PolicydCacheTest, NothingChangedReadsNoRows) {
    cache.sync(*cache_conn);
    EXPECT_EQ(cache.sync(*cache_conn).kind, SyncResult::Kind::Unchanged);
}

TEST_F(PolicydCacheTest, EveryKindOfChangeArrives) {
    cache.sync(*cache_conn);
    db->execute("CALL create_mailbox('new@example.de')");
    db->execute("UPDATE mailbox SET local_part = 'verkauf' WHERE address = 'sales@example.de'");
    db->execute(
        "UPDATE mailbox SET email_name = 'Info', vip = 1, ooo_enabled = 1, ooo_subject = 'Weg', "
        "ooo_body = 'Bis Montag' WHERE address = 'info@example.de'");
    db->execute("CALL assign_user('info@example.de', 'bob')");
    db->execute("CALL unassign_user('info@example.de', 'anna')");
    db->execute("UPDATE user_account SET display_name = 'Robert' WHERE login = 'bob'");
    db->execute("UPDATE setting SET value = '600' WHERE name = 'delivery_grace_seconds'");
    db->execute("INSERT INTO domain (name) VALUES ('example.net')");
    db->execute("DELETE FROM mailbox WHERE address = 'support@example.test'");
    auto r = cache.sync(*cache_conn);
    EXPECT_EQ(r.kind, SyncResult::Kind::Incremental);
    auto reader = cache.read();
    EXPECT_TRUE(reader.mailbox("new@example.de").has_value());
    EXPECT_FALSE(reader.mailbox("sales@example.de").has_value());
    EXPECT_TRUE(reader.mailbox("verkauf@example.de").has_value());
    EXPECT_FALSE(reader.mailbox("support@example.test").has_value());
    auto info = reader.mailbox("info@example.de");
    EXPECT_EQ(info->email_name, "Info");
    EXPECT_TRUE(info->vip);
    EXPECT_TRUE(info->ooo.enabled);
    EXPECT_EQ(info->ooo.body, "Bis Montag");
    EXPECT_TRUE(reader.assigned("bob", "info@example.de"));
    EXPECT_FALSE(reader.assigned("anna", "info@example.de"));
    EXPECT_EQ(reader.user("bob")->display_name, "Robert");
    EXPECT_EQ(reader.delivery_grace(), 600s);
    EXPECT_TRUE(reader.domain_hosted("example.net"));
}

TEST_F(PolicydCacheTest, ChangeLogGapForcesFullReload) {
    cache.sync(*cache_conn);
    db->execute("UPDATE mailbox SET active = 0 WHERE address = 'info@example.de'");
    db->execute("UPDATE mailbox SET vip = 1 WHERE address = 'sales@example.de'");
    // An admin purges the log, including entries this cache has not seen.
    db->execute("DELETE FROM change_log");
    auto r = cache.sync(*cache_conn);
    EXPECT_EQ(r.kind, SyncResult::Kind::Full);
    EXPECT_FALSE(mailbox("info@example.de")->active);
    EXPECT_TRUE(mailbox("sales@example.de")->vip);
}

TEST_F(PolicydCacheTest, ForcedFullReload) {
    cache.sync(*cache_conn);
    EXPECT_EQ(cache.sync(*cache_conn, true).kind, SyncResult::Kind::Full);
}

TEST_F(PolicydCacheTest, AgesWhileTheDatabaseCannotAnswer) {
    EXPECT_FALSE(cache.freshness(30s).synced);
    EXPECT_TRUE(cache.freshness(30s).stale());
    cache.sync(*cache_conn);
    clock.advance(10s);
    EXPECT_EQ(cache.freshness(30s).age, 10s);
    EXPECT_FALSE(cache.freshness(30s).stale());
    // A connection to a database that is gone: the sync fails, nothing is
    // forgotten, and the age keeps growing from the last success.
    db::ConnectionParams gone = scratch->params();
    gone.socket = "/nonexistent/mysqld.sock";
    EXPECT_THROW(
        {
            db::Connection bad(gone);
            cache.sync(bad);
        },
        db::TemporaryFailure);
    clock.advance(25s);
    EXPECT_EQ(cache.freshness(30s).age, 35s);
    EXPECT_TRUE(cache.freshness(30s).stale());
    EXPECT_TRUE(mailbox("info@example.de").has_value());
    cache.sync(*cache_conn);
    EXPECT_EQ(cache.freshness(30s).age, 0s);
}

}  // namespace
}  // namespace boxwarden::policyd
