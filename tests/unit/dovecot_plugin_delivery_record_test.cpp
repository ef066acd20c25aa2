// The Dovecot plugin's pure delivery helpers (dovecot-plugin/delivery_record.h):
// the header block as fields, the received activity entry and its stable
// event_id, policyd's time form.
#include "delivery_record.h"

#include <gtest/gtest.h>

#include "boxwarden/activity_event_id.h"

namespace boxwarden::dovecot_plugin {
namespace {

using namespace std::chrono_literals;

const char* kHeader =
    "Return-Path: <a@remote.test>\r\n"
    "Received: from mx by lmtp.example.test with LMTP id 1\r\n"
    "From: \"Remote, Sender\" <a@remote.test>\r\n"
    "To: undisclosed:;, Team <team@example.de>,\r\n"
    " \"Info (Sales)\" <Info+Offers@Example.DE>\r\n"
    "Cc: boss@example.de (the boss)\r\n"
    "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"
    "  =?ISO-8859-1?Q?_und_mehr?=\r\n"
    "Message-ID:\r\n <m1@remote.test>\r\n"
    "not a field line\r\n"
    "\r\n"
    "Body-Looking: not a header\r\n";

DeliveryFacts facts(const std::string& mailbox, std::string_view header = kHeader) {
    DeliveryFacts f;
    f.mailbox = mailbox;
    f.envelope_sender = "<A@Remote.Test>";
    f.headers = parse_header_block(header);
    f.delivered_at =
        TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}.time_since_epoch()} + 90s;
    f.delimiters = "+";
    return f;
}

TEST(DovecotPluginHeaderBlock, FieldsUpToTheBlankLineWithFoldsKept) {
    const auto fields = parse_header_block(kHeader);
    ASSERT_EQ(fields.size(), 7u);
    EXPECT_EQ(fields[0].name, "Return-Path");
    EXPECT_EQ(fields[3].name, "To");
    EXPECT_EQ(
        fields[3].value,
        " undisclosed:;, Team <team@example.de>,\r\n \"Info (Sales)\" <Info+Offers@Example.DE>");
    EXPECT_EQ(fields[6].name, "Message-ID");
    EXPECT_EQ(fields[6].value, "\r\n <m1@remote.test>");
    EXPECT_EQ(header_line_count(kHeader), 11u);
}

TEST(DovecotPluginHeaderBlock, LfOnlyAndMissingBlankLineAndFieldLimit) {
    const auto fields = parse_header_block("A: 1\nB : 2\n\tmore\nC:3");
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(fields[1].name, "B");
    EXPECT_EQ(fields[1].value, " 2\r\n\tmore");
    EXPECT_EQ(fields[2].value, "3");
    EXPECT_EQ(parse_header_block("A: 1\nB: 2\nC: 3\n", 2).size(), 2u);
    EXPECT_TRUE(parse_header_block("\r\nA: 1\r\n").empty());
}

TEST(DovecotPluginReceivedActivity, EntryForAMailboxInTo) {
    const auto a = received_activity(facts("info@example.de"));
    EXPECT_EQ(a.direction, "received");
    EXPECT_EQ(a.mailbox, "info@example.de");
    EXPECT_EQ(a.event_id, activity_event_id(ActivityDirection::Received, "info@example.de",
                                            "<m1@remote.test>", "unused"));
    EXPECT_EQ(a.occurred_at, "1796083290.000000");
    EXPECT_EQ(a.message_id, "<m1@remote.test>");
    EXPECT_EQ(a.sender, "a@remote.test");
    EXPECT_EQ(a.recipients, "team@example.de,Info+Offers@example.de,boss@example.de");
    EXPECT_EQ(a.subject,
              "Gr\xC3\xBC\xC3\x9F"
              "e und mehr");
    EXPECT_TRUE(a.in_to_header);  // extension and case ignored
}

TEST(DovecotPluginReceivedActivity, CcAndBccAreNotInTo) {
    EXPECT_FALSE(received_activity(facts("boss@example.de")).in_to_header);    // Cc
    EXPECT_FALSE(received_activity(facts("hidden@example.de")).in_to_header);  // envelope only
}

TEST(DovecotPluginReceivedActivity, EventIdIsPerMailboxAndStableAcrossRedelivery) {
    const std::string redelivered =
        std::string("Received: from mx by lmtp with LMTP id 2\r\n") + kHeader;
    EXPECT_EQ(received_activity(facts("info@example.de")).event_id,
              received_activity(facts("info@example.de", redelivered)).event_id);
    EXPECT_NE(received_activity(facts("info@example.de")).event_id,
              received_activity(facts("boss@example.de")).event_id);
}

TEST(DovecotPluginReceivedActivity, WithoutMessageIdTheHeaderMinusTraceFieldsDecides) {
    const std::string a =
        "Received: x 1\r\nReturn-Path: <a@b.test>\r\nFrom: a@b.test\r\nSubject: s\r\n\r\n";
    const std::string b =
        "Received: x 2\r\nDelivered-To: info@example.de\r\nFrom: a@b.test\r\nSubject: s\r\n\r\n";
    const std::string c = "Received: x 1\r\nFrom: a@b.test\r\nSubject: other\r\n\r\n";
    const auto ea = received_activity(facts("info@example.de", a));
    EXPECT_EQ(ea.message_id, "");
    EXPECT_EQ(ea.event_id.size(), kActivityEventIdLength);
    EXPECT_EQ(ea.event_id, received_activity(facts("info@example.de", b)).event_id);
    EXPECT_NE(ea.event_id, received_activity(facts("info@example.de", c)).event_id);
    EXPECT_EQ(ea.recipients, "info@example.de");  // no To/Cc: the mailbox itself
}

TEST(DovecotPluginReceivedActivity, NullSenderAndLongSubjectCutAtACharacter) {
    DeliveryFacts f = facts("info@example.de");
    f.envelope_sender = "";
    std::string subject = "Subject: ";
    for (int i = 0; i < 30000; ++i) subject += "\xC3\xA4";  // 60000 bytes
    subject += "x\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80";
    for (int i = 0; i < 3000; ++i) subject += "\xF0\x9F\x98\x80";
    f.headers = parse_header_block(subject + "\r\n\r\n");
    const auto a = received_activity(f);
    EXPECT_EQ(a.sender, "");
    EXPECT_LE(a.subject.size(), 65535u);
    EXPECT_GE(a.subject.size(), 65532u);
    EXPECT_EQ(a.subject.substr(a.subject.size() - 4), "\xF0\x9F\x98\x80");
}

TEST(DovecotPluginPolicydTime, SqlFormParsedOthersRefused) {
    const TimePoint day{
        std::chrono::sys_days{std::chrono::year{2026} / 12 / 24}.time_since_epoch()};
    EXPECT_EQ(parse_policyd_time("2026-12-24 00:00:00"), day);
    EXPECT_EQ(parse_policyd_time("2026-12-24 10:20:30.5"), day + 10h + 20min + 30s + 500ms);
    EXPECT_EQ(parse_policyd_time("2026-12-24 10:20:30.000001"), day + 10h + 20min + 30s + 1us);
    for (const char* bad :
         {"", "2026-12-24", "2026-02-30 00:00:00", "2026-12-24 24:00:00", "2026-12-24 10:20:30.",
          "2026-12-24 10:20:30.1234567", "2026/12/24 00:00:00"})
        EXPECT_FALSE(parse_policyd_time(bad).has_value()) << bad;
}

}  // namespace
}  // namespace boxwarden::dovecot_plugin
