#include "boxwarden/ooo_message.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "boxwarden/address_list.h"

namespace boxwarden {
namespace {

const TimePoint kNow = TimePoint{} + std::chrono::seconds(1795766400);  // 2026-11-27 08:00:00
const std::array<unsigned char, 16> kRandom = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                               0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
const std::string kEmoji = "\xF0\x9F\x98\x80";

OooReplyFacts facts() {
    OooReplyFacts f;
    f.mailbox_address = "info@example.de";
    f.mailbox_email_name = "M\xC3\xBCller Immobilien";
    f.ooo_subject = "Out of office";
    f.ooo_body = "Ich bin bis Montag nicht im B\xC3\xBCro " + kEmoji +
                 ".\nGr\xC3\xBC\xC3\x9F"
                 "e";
    f.envelope_sender = "<bob@example.org>";
    f.original_headers = {{"From", " =?UTF-8?Q?J=C3=BCrgen?= Bob <bob@example.org>"},
                          {"To", " info@example.de"},
                          {"Subject", " =?UTF-8?B?QW5nZWJvdCDDvGJlciAxMDAg4oKs?="},
                          {"Message-ID", " <m1@example.org>"},
                          {"References", " <r0@example.org>\n <r1@example.org>"}};
    return f;
}

// A parsed reply: unfolded header values by lowercase name, and the body.
struct Parsed {
    std::multimap<std::string, std::string> headers;
    std::vector<std::string> order;
    std::string body;
    std::string one(const std::string& name) const {
        EXPECT_EQ(headers.count(name), 1u) << name;
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

Parsed parse(const std::string& message) {
    // Every line ends in CRLF: no bare CR or LF anywhere.
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (message[i] == '\n') {
            EXPECT_TRUE(i > 0 && message[i - 1] == '\r') << "bare LF at " << i;
        }
        if (message[i] == '\r') {
            EXPECT_TRUE(i + 1 < message.size() && message[i + 1] == '\n');
        }
    }
    Parsed p;
    const std::size_t end = message.find("\r\n\r\n");
    EXPECT_NE(end, std::string::npos);
    const std::string head = message.substr(0, end + 2);
    p.body = message.substr(end + 4);
    std::string name, value;
    const auto flush = [&] {
        if (name.empty()) return;
        std::string lower = ascii_lowercase(name);
        p.order.push_back(lower);
        p.headers.emplace(lower, value);
    };
    std::size_t pos = 0;
    while (pos < head.size()) {
        const std::size_t eol = head.find("\r\n", pos);
        const std::string line = head.substr(pos, eol - pos);
        EXPECT_LE(line.size(), 78u) << line;
        for (const char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7F) << line;  // 7-bit headers
        if (line[0] == ' ' || line[0] == '\t') {
            value += line;
        } else {
            flush();
            const std::size_t colon = line.find(':');
            EXPECT_NE(colon, std::string::npos) << line;
            name = line.substr(0, colon);
            value = line.substr(colon + 1);
        }
        pos = eol + 2;
    }
    flush();
    return p;
}

std::string trimmed(const std::string& s) {
    const std::size_t a = s.find_first_not_of(' ');
    return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(' ') - a + 1);
}

TEST(MailOooMessage, EveryHeaderParsesBack) {
    const OooReply reply = compose_ooo_reply(facts(), kNow, kRandom);
    EXPECT_EQ(reply.mail_from, "");  // MAIL FROM:<>
    EXPECT_EQ(reply.rcpt_to, "bob@example.org");
    const Parsed p = parse(reply.message);

    const AddressListResult from = parse_mailbox_list(p.one("from"));
    ASSERT_TRUE(from.ok);
    EXPECT_EQ(from.mailboxes.at(0).address, "info@example.de");
    EXPECT_EQ(from.mailboxes.at(0).display_name, "M\xC3\xBCller Immobilien");

    const AddressListResult to = parse_address_list(p.one("to"));
    ASSERT_TRUE(to.ok);
    EXPECT_EQ(to.mailboxes.at(0).address, "bob@example.org");
    EXPECT_EQ(to.mailboxes.at(0).display_name, "J\xC3\xBCrgen Bob");

    EXPECT_EQ(decode_rfc2047(trimmed(p.one("subject"))),
              "Auto: Angebot \xC3\xBC"
              "ber 100 \xE2\x82\xAC");
    EXPECT_EQ(trimmed(p.one("date")), "Fri, 27 Nov 2026 08:00:00 +0000");
    EXPECT_EQ(trimmed(p.one("message-id")),
              "<6b093880.00112233445566778899aabbccddeeff@example.de>");
    EXPECT_EQ(trimmed(p.one("in-reply-to")), "<m1@example.org>");
    EXPECT_EQ(trimmed(p.one("references")), "<r0@example.org> <r1@example.org> <m1@example.org>");
    EXPECT_EQ(trimmed(p.one("auto-submitted")), "auto-replied");
    EXPECT_EQ(trimmed(p.one("precedence")), "bulk");
    EXPECT_EQ(trimmed(p.one("x-auto-response-suppress")), "All");
    EXPECT_EQ(trimmed(p.one("mime-version")), "1.0");
    EXPECT_EQ(trimmed(p.one("content-type")), "text/plain; charset=utf-8");
    EXPECT_EQ(trimmed(p.one("content-transfer-encoding")), "quoted-printable");
    EXPECT_EQ(p.order.size(), 13u);

    // The body decodes to the UTF-8 text intact, 4-byte character included
    // (decode_quoted_printable turns the CRLF line ends back into LF).
    EXPECT_EQ(decode_quoted_printable(p.body), "Ich bin bis Montag nicht im B\xC3\xBCro " + kEmoji +
                                                   ".\nGr\xC3\xBC\xC3\x9F"
                                                   "e\n");
    for (const char c : p.body) EXPECT_TRUE(c == '\r' || c == '\n' || (c >= 0x20 && c < 0x7F));
}

TEST(MailOooMessage, EnvelopeSenderCanBeTheMailbox) {
    OooReplyFacts f = facts();
    f.envelope_sender_is_mailbox = true;
    EXPECT_EQ(compose_ooo_reply(f, kNow, kRandom).mail_from, "info@example.de");
}

TEST(MailOooMessage, NoNameAndNoThreadHeaders) {
    OooReplyFacts f = facts();
    f.mailbox_email_name.clear();
    f.original_headers = {{"From", " bob@example.org"}};
    const Parsed p = parse(compose_ooo_reply(f, kNow, kRandom).message);
    EXPECT_EQ(trimmed(p.one("from")), "<info@example.de>");
    EXPECT_EQ(trimmed(p.one("to")), "<bob@example.org>");
    EXPECT_EQ(p.headers.count("in-reply-to"), 0u);
    EXPECT_EQ(p.headers.count("references"), 0u);
    // No original subject: the mailbox's ooo_subject.
    EXPECT_EQ(trimmed(p.one("subject")), "Out of office");
}

TEST(MailOooMessage, SubjectRules) {
    EXPECT_EQ(ooo_reply_subject({}, ""), "Automated reply");
    EXPECT_EQ(ooo_reply_subject({{"Subject", " "}}, " \t"), "Automated reply");
    EXPECT_EQ(ooo_reply_subject({{"Subject", " Hi\r\n there\x01\xE2\x80\xA8you"}}, ""),
              "Auto: Hi there you");
    EXPECT_EQ(ooo_reply_subject({{"subject", " a"}, {"Subject", " b"}}, ""), "Auto: a");
}

TEST(MailOooMessage, LongSubjectIsShortenedAtACharacterBoundary) {
    std::string original;
    for (int i = 0; i < 100; ++i) original += kEmoji;  // 400 bytes
    const std::string s = ooo_reply_subject({{"Subject", original}}, "");
    EXPECT_LE(s.size(), kMaxReplySubjectBytes);
    EXPECT_EQ(s.substr(s.size() - 3), "\xE2\x80\xA6");
    EXPECT_EQ((s.size() - 6 - 3) % 4, 0u);  // whole 4-byte characters before the ellipsis
    EXPECT_TRUE(is_valid_utf8(s));
    const std::string ascii(300, 'x');
    EXPECT_EQ(ooo_reply_subject({{"Subject", ascii}}, ""),
              "Auto: " + std::string(191, 'x') + "\xE2\x80\xA6");

    OooReplyFacts f = facts();
    f.original_headers = {{"Subject", original}};
    const Parsed p = parse(compose_ooo_reply(f, kNow, kRandom).message);
    EXPECT_EQ(decode_rfc2047(trimmed(p.one("subject"))), s);
}

TEST(MailOooMessage, ReferencesAreBounded) {
    OooReplyFacts f = facts();
    std::string refs;
    for (int i = 0; i < 30; ++i) refs += " <r" + std::to_string(i) + "@example.org>";
    f.original_headers = {{"From", " bob@example.org"},
                          {"Message-ID", " <m1@example.org>"},
                          {"References", refs + " <bad id@x> <noat>"}};
    const Parsed p = parse(compose_ooo_reply(f, kNow, kRandom).message);
    std::string expected = "<r0@example.org>";
    for (int i = 21; i < 30; ++i) expected += " <r" + std::to_string(i) + "@example.org>";
    // First of the thread, then the most recent, ending with the original (10 in all).
    expected = "<r0@example.org>";
    for (int i = 22; i < 30; ++i) expected += " <r" + std::to_string(i) + "@example.org>";
    expected += " <m1@example.org>";
    EXPECT_EQ(trimmed(p.one("references")), expected);
}

TEST(MailOooMessage, HeaderInjectionThroughStoredNamesIsImpossible) {
    OooReplyFacts f = facts();
    f.mailbox_email_name = "X\r\nBcc: victim@example.org\n";
    f.original_headers = {{"From", " \"Y\\\r\n Bcc: v2@example.org\" <bob@example.org>"},
                          {"Subject", " =?UTF-8?Q?a=0D=0ABcc:_v3@example.org?="}};
    const std::string message = compose_ooo_reply(f, kNow, kRandom).message;
    const Parsed p = parse(message);
    EXPECT_EQ(p.headers.count("bcc"), 0u);
    EXPECT_EQ(decode_rfc2047(trimmed(p.one("subject"))), "Auto: a Bcc: v3@example.org");
}

TEST(MailOooMessage, BodyLineEndsAndControlsAreNormalised) {
    OooReplyFacts f = facts();
    f.ooo_body = std::string("a\r\nb\rc\0d\x7f\ne", 11);
    const Parsed p = parse(compose_ooo_reply(f, kNow, kRandom).message);
    EXPECT_EQ(decode_quoted_printable(p.body), "a\nb\ncd\ne\n");
}

TEST(MailOooMessage, RefusesAReplyThatCannotBeAddressed) {
    OooReplyFacts f = facts();
    f.envelope_sender = "<>";
    EXPECT_THROW(compose_ooo_reply(f, kNow, kRandom), std::invalid_argument);
    f.envelope_sender = "\"a b\"@example.org";
    EXPECT_THROW(compose_ooo_reply(f, kNow, kRandom), std::invalid_argument);
    f = facts();
    f.mailbox_address = "not-an-address";
    EXPECT_THROW(compose_ooo_reply(f, kNow, kRandom), std::invalid_argument);
}

}  // namespace
}  // namespace boxwarden
