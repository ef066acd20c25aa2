#include "boxwarden/activity_event_id.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

namespace boxwarden {
namespace {

constexpr auto kSent = ActivityDirection::Sent;
constexpr auto kReceived = ActivityDirection::Received;

TEST(MailActivityEventId, FixedLengthFormatWithinTheProtocolLimit) {
    const std::string id = activity_event_id(kSent, "info@example.de", "<m1@example.org>", "");
    EXPECT_EQ(id.size(), kActivityEventIdLength);
    EXPECT_LE(id.size(), 128u);  // docs/protocol.md: event_id 1-128 bytes
    EXPECT_EQ(id.substr(0, 6), "bw1-s-");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 6), std::string::npos);
    const std::string r = activity_event_id(kReceived, "info@example.de", "<m1@example.org>", "");
    EXPECT_EQ(r.substr(0, 6), "bw1-r-");
    EXPECT_EQ(r.size(), kActivityEventIdLength);
}

TEST(MailActivityEventId, GoldenValuesAreStableAcrossVersions) {
    // BLAKE2b-256 of the documented input (checked with Python's hashlib.blake2b).
    // Changing these would store replayed entries twice: bump "bw1" instead.
    EXPECT_EQ(activity_event_id(kReceived, "info@example.de", "<m1@example.org>", "Q1"),
              "bw1-r-785a549431369313077e7daa85e1636f14130072944f717ad2ccf38b73ec8d7e");
    EXPECT_EQ(activity_event_id(kSent, "info@example.de", "", "QUEUE1"),
              "bw1-s-a25be49a082ab8d9d45e1f066bd5bf8462a70cde0c1141beaacdf3a76ae99ff5");
}

TEST(MailActivityEventId, RetryAndReplayGiveTheSameId) {
    const std::string a = activity_event_id(kSent, "info@example.de", "<m1@example.org>", "Q1");
    EXPECT_EQ(a, activity_event_id(kSent, " Info@Example.DE ", "\n <m1@example.org> (c)", "Q2"));
}

TEST(MailActivityEventId, EachInputSeparatesIds) {
    std::set<std::string> ids;
    ids.insert(activity_event_id(kSent, "info@example.de", "<m1@example.org>", ""));
    ids.insert(activity_event_id(kReceived, "info@example.de", "<m1@example.org>", ""));
    ids.insert(activity_event_id(kSent, "sales@example.de", "<m1@example.org>", ""));
    ids.insert(activity_event_id(kSent, "info@example.de", "<m2@example.org>", ""));
    ids.insert(activity_event_id(kSent, "info@example.de", "<M1@example.org>", ""));  // id case
    ids.insert(activity_event_id(kSent, "info@example.de", "", "<m1@example.org>"));  // fallback
    ids.insert(activity_event_id(kSent, "info@example.de", "", "QUEUE1"));
    ids.insert(activity_event_id(kSent, "info@example.de", "", "QUEUE2"));
    EXPECT_EQ(ids.size(), 8u);
}

TEST(MailActivityEventId, FallbackOnlyWhenThereIsNoMessageId) {
    EXPECT_EQ(activity_event_id(kSent, "info@example.de", "  ", "Q1"),
              activity_event_id(kSent, "info@example.de", "", "Q1"));
    EXPECT_NE(activity_event_id(kSent, "info@example.de", "", "Q1"),
              activity_event_id(kSent, "info@example.de", "", "Q2"));
}

TEST(MailActivityEventId, RefusesMissingInputs) {
    EXPECT_THROW(activity_event_id(kSent, "", "<m1@example.org>", ""), std::invalid_argument);
    EXPECT_THROW(activity_event_id(kSent, "info@example.de", " ", "\t"), std::invalid_argument);
}

TEST(MailActivityEventId, MessageIdToken) {
    EXPECT_EQ(message_id_token(" <a@b.example>"), "<a@b.example>");
    EXPECT_EQ(message_id_token("(x) <a\n @b.example> (y)"), "<a@b.example>");
    EXPECT_EQ(message_id_token("  no-brackets@b.example "), "no-brackets@b.example");
    EXPECT_EQ(message_id_token(""), "");
}

}  // namespace
}  // namespace boxwarden
