// Releasing an out-of-office claim after a failed send (migration 0005):
// ooo_release_reply undoes exactly the claim whose token it is given, never
// a later claim of another host; and a new absence period starts a new round.
#include <gtest/gtest.h>

#include <optional>

#include "test_database.h"

namespace boxwarden::testing {
namespace {

struct Claim {
    int should_reply = 0;
    std::optional<std::string> token;
};

class OooRelease : public SqlTest {
  protected:
    void SetUp() override {
        SqlTest::SetUp();
        db->execute("INSERT INTO domain (name) VALUES ('example.de')");
        db->execute("CALL create_mailbox('info@example.de')");
        db->execute(
            "UPDATE mailbox SET ooo_enabled = 1, ooo_subject = 'Away', ooo_body = 'Back soon', "
            "ooo_start = '2026-01-01', ooo_end = '2026-02-01', ooo_interval_days = 7");
    }
    Claim claim(const char* sender, const char* now) {
        auto r = db->query("CALL ooo_claim_reply('info@example.de', ?, ?)",
                           {std::string(sender), std::string(now)});
        return {static_cast<int>(r.at(0).i64("should_reply")), r.at(0).opt_str("claim_token")};
    }
    int release(const char* sender, const std::string& token) {
        auto r = db->query("CALL ooo_release_reply('info@example.de', ?, ?)",
                           {std::string(sender), token});
        return static_cast<int>(r.at(0).i64("released"));
    }
    std::string replied_at(const char* sender) {
        auto r = db->query("SELECT last_replied_at FROM ooo_reply WHERE sender = ?",
                           {std::string(sender)});
        return r.empty() ? "none" : r.at(0).str("last_replied_at");
    }
};

TEST_F(OooRelease, AClaimCarriesAFreshTokenAndNoReplyCarriesNone) {
    const Claim a = claim("a@remote.test", "2026-01-05 10:00:00");
    EXPECT_EQ(a.should_reply, 1);
    ASSERT_TRUE(a.token.has_value());
    EXPECT_EQ(a.token->size(), 36u);
    const Claim again = claim("a@remote.test", "2026-01-05 11:00:00");
    EXPECT_EQ(again.should_reply, 0);
    EXPECT_FALSE(again.token.has_value());
    const Claim b = claim("b@remote.test", "2026-01-05 11:00:00");
    ASSERT_TRUE(b.token.has_value());
    EXPECT_NE(*a.token, *b.token);
}

TEST_F(OooRelease, ReleasingTheOwnClaimLetsTheNextMailGetTheReply) {
    const Claim a = claim("a@remote.test", "2026-01-05 10:00:00");
    ASSERT_TRUE(a.token.has_value());
    EXPECT_EQ(release("A@Remote.TEST", *a.token), 1);
    EXPECT_EQ(replied_at("a@remote.test"), "none");    // the claim created the row
    EXPECT_EQ(release("a@remote.test", *a.token), 0);  // already released: nothing happens
    EXPECT_EQ(claim("a@remote.test", "2026-01-05 10:05:00").should_reply, 1);
}

TEST_F(OooRelease, ReleasingARenewalRestoresTheEarlierReplyTime) {
    ASSERT_EQ(claim("a@remote.test", "2026-01-02 10:00:00").should_reply, 1);
    const Claim renewal = claim("a@remote.test", "2026-01-10 10:00:00");
    ASSERT_EQ(renewal.should_reply, 1);
    EXPECT_EQ(release("a@remote.test", *renewal.token), 1);
    EXPECT_EQ(replied_at("a@remote.test"), "2026-01-02 10:00:00");
    EXPECT_EQ(claim("a@remote.test", "2026-01-10 10:05:00").should_reply, 1);
}

TEST_F(OooRelease, ALaterClaimOfAnotherHostIsNeverReleased) {
    // Host A claims and its send fails; its release is late: meanwhile the
    // row was released and claimed again by host B. A's token no longer
    // matches, so B's claim stays.
    const Claim host_a = claim("a@remote.test", "2026-01-05 10:00:00");
    ASSERT_EQ(release("a@remote.test", *host_a.token), 1);
    const Claim host_b = claim("a@remote.test", "2026-01-05 10:00:00");  // same instant
    ASSERT_EQ(host_b.should_reply, 1);
    EXPECT_EQ(release("a@remote.test", *host_a.token), 0);
    EXPECT_EQ(replied_at("a@remote.test"), "2026-01-05 10:00:00");
    EXPECT_EQ(claim("a@remote.test", "2026-01-05 11:00:00").should_reply, 0);

    // The same for a renewal: releasing the first claim after B renewed the
    // row must not touch B's renewal.
    const Claim first = claim("c@remote.test", "2026-01-02 10:00:00");
    const Claim renewed = claim("c@remote.test", "2026-01-10 10:00:00");
    ASSERT_EQ(renewed.should_reply, 1);
    EXPECT_EQ(release("c@remote.test", *first.token), 0);
    EXPECT_EQ(replied_at("c@remote.test"), "2026-01-10 10:00:00");
    // A token of another sender or mailbox releases nothing either.
    EXPECT_EQ(release("a@remote.test", *renewed.token), 0);
    db->execute("CALL create_mailbox('other@example.de')");
    auto r = db->query("CALL ooo_release_reply('other@example.de', 'c@remote.test', ?)",
                       {*renewed.token});
    EXPECT_EQ(r.at(0).i64("released"), 0);
    EXPECT_EQ(replied_at("c@remote.test"), "2026-01-10 10:00:00");
}

TEST_F(OooRelease, RefusesWhatIsNotAClaimToken) {
    ASSERT_EQ(claim("a@remote.test", "2026-01-05 10:00:00").should_reply, 1);
    for (const char* token :
         {"", "x", "2026-01-05 10:00:00", "%", "ABCDEF01-2345-6789-ABCD-EF0123456789"})
        expect_rule("CALL ooo_release_reply('info@example.de', 'a@remote.test', ?)",
                    {std::string(token)}, "is not a claim token");
    expect_rule("CALL ooo_release_reply('info@example.de', 'a@remote.test', NULL)", {},
                "claim token NULL is not a claim token");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM ooo_reply"), 1);
}

TEST_F(OooRelease, ANewAbsencePeriodStartsANewRound) {
    ASSERT_EQ(claim("a@remote.test", "2026-01-05 10:00:00").should_reply, 1);
    // Back at work, then away again two days later: the sender is answered
    // again although the interval (7 days) has not passed.
    db->execute("UPDATE mailbox SET ooo_start = '2026-01-07', ooo_end = '2026-01-20'");
    EXPECT_EQ(claim("a@remote.test", "2026-01-07 09:00:00").should_reply, 1);
    EXPECT_EQ(claim("a@remote.test", "2026-01-07 10:00:00").should_reply, 0);
}

}  // namespace
}  // namespace boxwarden::testing
