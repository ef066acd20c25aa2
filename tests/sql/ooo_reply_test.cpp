// Out-of-office reply-once state (DESIGN.md §4): atomic in SQL, so several
// mail hosts never both reply.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_database.h"

namespace boxwarden::testing {
namespace {

class OooReply : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        db->execute("CALL create_mailbox('info@example.de')");
        db->execute(
            "UPDATE mailbox SET ooo_enabled = 1, ooo_subject = 'Away', ooo_body = 'Back soon', "
            "ooo_start = '2026-01-01', ooo_end = '2026-02-01', ooo_interval_days = 7");
    }
    int claim(db::Connection& c, const char* sender, const char* now) {
        auto r = c.query("CALL ooo_claim_reply('info@example.de', ?, ?)",
                         {std::string(sender), std::string(now)});
        return static_cast<int>(r.at(0).i64("should_reply"));
    }
};

TEST_F(OooReply, RepliesOncePerSenderPerInterval) {
    EXPECT_EQ(claim(*db, "a@remote.test", "2026-01-05 10:00:00"), 1);
    EXPECT_EQ(claim(*db, "A@Remote.TEST", "2026-01-05 11:00:00"), 0);
    EXPECT_EQ(claim(*db, "b@remote.test", "2026-01-05 11:00:00"), 1);
    EXPECT_EQ(claim(*db, "a@remote.test", "2026-01-12 09:59:59"), 0);
    EXPECT_EQ(claim(*db, "a@remote.test", "2026-01-12 10:00:00"), 1);
}

TEST_F(OooReply, NoReplyOutsideTheWindowOrWhenDisabled) {
    EXPECT_EQ(claim(*db, "a@remote.test", "2025-12-31 23:59:59"), 0);
    EXPECT_EQ(claim(*db, "a@remote.test", "2026-02-01 00:00:00"), 0);
    db->execute("UPDATE mailbox SET ooo_enabled = 0");
    EXPECT_EQ(claim(*db, "a@remote.test", "2026-01-10 00:00:00"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM ooo_reply"), 0);
}

TEST_F(OooReply, ConcurrentHostsGetExactlyOneReply) {
    constexpr int kHosts = 8;
    std::atomic<int> replies{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kHosts; ++i) {
        threads.emplace_back([&] {
            db::ThreadScope scope;
            try {
                auto c = scratch->connect();
                replies += claim(*c, "race@remote.test", "2026-01-06 00:00:00");
            } catch (...) {
                ++errors;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(replies.load(), 1);
}

}  // namespace
}  // namespace boxwarden::testing
