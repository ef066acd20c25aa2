// The delivery verdict, exhaustively: every combination of known/active,
// grace before/after, and cache age below/at/above the cutoff.
#include <gtest/gtest.h>

#include "boxwarden/delivery_verdict.h"

namespace boxwarden {
namespace {

using std::chrono::seconds;
const TimePoint kNow = TimePoint{} + std::chrono::hours(24 * 365 * 56);

DeliveryFacts facts(bool known, bool active, std::optional<seconds> deactivated_ago, seconds grace,
                    seconds age, seconds cutoff = kMaxCutoff) {
    DeliveryFacts f;
    f.mailbox_known = known;
    f.active = active;
    if (deactivated_ago) f.deactivated_at = kNow - *deactivated_ago;
    f.grace = grace;
    f.cache_age = age;
    f.cutoff = cutoff;
    return f;
}

DeliveryVerdict v(const DeliveryFacts& f) {
    return decide_delivery(f, kNow).verdict;
}

TEST(DeliveryVerdict, ActiveMailboxWithFreshCacheIsDelivered) {
    EXPECT_EQ(v(facts(true, true, std::nullopt, seconds(0), seconds(0))), DeliveryVerdict::Deliver);
    EXPECT_EQ(v(facts(true, true, std::nullopt, seconds(0), seconds(1799))),
              DeliveryVerdict::Deliver);
}

TEST(DeliveryVerdict, InactiveWithoutGraceIsRejected550_521) {
    auto d = decide_delivery(facts(true, false, seconds(1), seconds(0), seconds(0)), kNow);
    EXPECT_EQ(d.verdict, DeliveryVerdict::RejectDisabled);
    EXPECT_EQ(d.smtp_code, 550);
    EXPECT_EQ(d.enhanced, "5.2.1");
    EXPECT_EQ(d.text, "Mailbox disabled");
    // Deactivated this very instant: grace 0 means no more deliveries.
    EXPECT_EQ(v(facts(true, false, seconds(0), seconds(0), seconds(0))),
              DeliveryVerdict::RejectDisabled);
}

TEST(DeliveryVerdict, GraceKeepsDeliveringUntilItEnds) {
    EXPECT_EQ(v(facts(true, false, seconds(59), seconds(60), seconds(0))),
              DeliveryVerdict::Deliver);
    EXPECT_EQ(v(facts(true, false, seconds(60), seconds(60), seconds(0))),
              DeliveryVerdict::RejectDisabled);
    EXPECT_EQ(v(facts(true, false, seconds(61), seconds(60), seconds(0))),
              DeliveryVerdict::RejectDisabled);
}

TEST(DeliveryVerdict, GraceIsClampedTo1800Seconds) {
    EXPECT_EQ(v(facts(true, false, seconds(1799), seconds(99999), seconds(0))),
              DeliveryVerdict::Deliver);
    EXPECT_EQ(v(facts(true, false, seconds(1800), seconds(99999), seconds(0))),
              DeliveryVerdict::RejectDisabled);
    EXPECT_EQ(v(facts(true, false, seconds(1), seconds(-5), seconds(0))),
              DeliveryVerdict::RejectDisabled);
}

TEST(DeliveryVerdict, InactiveWithoutTimestampIsRejected) {
    EXPECT_EQ(v(facts(true, false, std::nullopt, seconds(1800), seconds(0))),
              DeliveryVerdict::RejectDisabled);
}

TEST(DeliveryVerdict, UnknownMailboxWithFreshCacheIsRejected550_511) {
    auto d = decide_delivery(facts(false, false, std::nullopt, seconds(0), seconds(10)), kNow);
    EXPECT_EQ(d.verdict, DeliveryVerdict::RejectUnknown);
    EXPECT_EQ(d.smtp_code, 550);
    EXPECT_EQ(d.enhanced, "5.1.1");
}

TEST(DeliveryVerdict, StaleCacheDefersEveryAnswer) {
    // Past the cutoff nothing is certain: not active, not disabled, not unknown.
    for (bool known : {false, true})
        for (bool active : {false, true})
            for (seconds age : {seconds(1800), seconds(1801), seconds(100000)}) {
                auto d = decide_delivery(facts(known, active, seconds(5), seconds(0), age), kNow);
                EXPECT_EQ(d.verdict, DeliveryVerdict::Tempfail);
                EXPECT_EQ(d.smtp_code, 451);
                EXPECT_EQ(d.enhanced, "4.3.0");
            }
}

TEST(DeliveryVerdict, ShorterCutoffIsHonouredLongerIsClamped) {
    EXPECT_EQ(v(facts(true, true, std::nullopt, seconds(0), seconds(4), seconds(5))),
              DeliveryVerdict::Deliver);
    EXPECT_EQ(v(facts(true, true, std::nullopt, seconds(0), seconds(5), seconds(5))),
              DeliveryVerdict::Tempfail);
    EXPECT_EQ(v(facts(true, true, std::nullopt, seconds(0), seconds(1800), seconds(7200))),
              DeliveryVerdict::Tempfail);
}

TEST(DeliveryVerdict, NegativeAgeCountsAsFresh) {
    EXPECT_EQ(v(facts(true, true, std::nullopt, seconds(0), seconds(-30))),
              DeliveryVerdict::Deliver);
}

TEST(DeliveryVerdict, DeactivationTimeInTheFutureStillInGrace) {
    // Database clock ahead of ours: within grace until deactivated_at + grace.
    EXPECT_EQ(v(facts(true, false, seconds(-10), seconds(0), seconds(0))),
              DeliveryVerdict::Deliver);
}

// The design's bound: with grace G and staleness S, the last delivery is at
// most max(G, S) after deactivation. Simulate a cache that refreshes every S
// seconds and check every second after the change.
TEST(DeliveryVerdict, LastDeliveryIsWithinMaxOfGraceAndStaleness) {
    for (int g : {0, 30, 600, 1800})
        for (int s : {1, 60, 1799}) {
            const TimePoint change = kNow;
            TimePoint last_delivery = change;
            for (int t = 0; t <= 4000; ++t) {
                const TimePoint now = change + seconds(t);
                // The cache last synced at the latest multiple of s <= t.
                const int synced = (t / s) * s;
                DeliveryFacts f;
                f.mailbox_known = true;
                f.active = synced == 0 &&
                           t < s;  // before its first sync after the change it still says active
                if (!f.active) f.deactivated_at = change;
                f.grace = seconds(g);
                f.cache_age = seconds(t - synced);
                if (decide_delivery(f, now).verdict == DeliveryVerdict::Deliver)
                    last_delivery = now;
            }
            EXPECT_LE(last_delivery - change, seconds(std::max(g, s))) << "g=" << g << " s=" << s;
        }
}

TEST(DeliveryVerdict, NamesAreStable) {
    EXPECT_EQ(to_string(DeliveryVerdict::Deliver), "deliver");
    EXPECT_EQ(to_string(DeliveryVerdict::RejectDisabled), "reject-disabled");
    EXPECT_EQ(to_string(DeliveryVerdict::RejectUnknown), "reject-unknown");
    EXPECT_EQ(to_string(DeliveryVerdict::Tempfail), "tempfail");
}

}  // namespace
}  // namespace boxwarden
