#include "boxwarden/address_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxwarden {
namespace {

std::vector<HeaderMailbox> ok(std::string_view value) {
    const AddressListResult r = parse_address_list(value);
    EXPECT_TRUE(r.ok) << value << ": " << r.error << " at " << r.error_offset;
    return r.mailboxes;
}

AddressListResult bad(std::string_view value) {
    const AddressListResult r = parse_address_list(value);
    EXPECT_FALSE(r.ok) << value;
    EXPECT_TRUE(r.mailboxes.empty());
    return r;
}

TEST(MailAddressList, BareAddress) {
    const auto m = ok("info@example.de");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].address, "info@example.de");
    EXPECT_EQ(m[0].display_name, "");
    EXPECT_EQ(m[0].group, "");
}

TEST(MailAddressList, AtomDisplayNameAndAngleAddress) {
    const auto m = ok(" Info Desk <info@example.de>");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].display_name, "Info Desk");
    EXPECT_EQ(m[0].address, "info@example.de");
}

TEST(MailAddressList, QuotedDisplayNameWithQuotedPairs) {
    const auto m = ok(R"("Doe, \"JD\" \\ Co" <jd@example.org>)");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].display_name, R"(Doe, "JD" \ Co)");
}

TEST(MailAddressList, EncodedWordsAreDecodedToUtf8) {
    const auto m = ok("=?UTF-8?B?TcO8bGxlcg==?= =?ISO-8859-1?Q?Immobili=E9n?= <info@example.de>");
    ASSERT_EQ(m.size(), 1u);
    // Whitespace between adjacent encoded-words is dropped (RFC 2047 6.2).
    EXPECT_EQ(m[0].display_name, "M\xC3\xBCllerImmobili\xC3\xA9n");
    const auto q = ok("\"=?utf-8?q?M=C3=BCller?=\" <a@b.example>");
    EXPECT_EQ(q[0].display_name, "M\xC3\xBCller");
}

TEST(MailAddressList, RawUtf8DisplayName) {
    const auto m = ok("M\xC3\xBCller \xF0\x9F\x98\x80 <info@example.de>");
    EXPECT_EQ(m[0].display_name, "M\xC3\xBCller \xF0\x9F\x98\x80");
}

TEST(MailAddressList, SeveralAddressesAndEmptyElements) {
    const auto m = ok(", a@x.example, , \"B\" <b@y.example>,,c@z.example,");
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].address, "a@x.example");
    EXPECT_EQ(m[1].address, "b@y.example");
    EXPECT_EQ(m[1].display_name, "B");
    EXPECT_EQ(m[2].address, "c@z.example");
}

TEST(MailAddressList, Groups) {
    EXPECT_TRUE(ok("undisclosed-recipients:;").empty());
    EXPECT_TRUE(ok("undisclosed-recipients:").empty());  // common, tolerated
    const auto m = ok("team: a@x.example, B <b@y.example>;, c@z.example");
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].group, "team");
    EXPECT_EQ(m[1].group, "team");
    EXPECT_EQ(m[1].display_name, "B");
    EXPECT_EQ(m[2].group, "");
}

TEST(MailAddressList, GroupsAreRefusedInAMailboxList) {
    const AddressListResult r = parse_mailbox_list("team: a@x.example;");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "a group is not allowed in a mailbox list");
    EXPECT_EQ(r.error_offset, 4u);
    EXPECT_TRUE(parse_mailbox_list("A <a@x.example>").ok);
}

TEST(MailAddressList, CommentsAnywhereNestedToo) {
    const auto m =
        ok("(c1) John (nested (c2) \\) x) Doe (c3) < (c4) john (c5) @ (c6) "
           "example (c7) . (c8) org (c9) > (c10), (only a comment)");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].display_name, "John Doe");
    EXPECT_EQ(m[0].address, "john@example.org");
}

TEST(MailAddressList, ObsPhraseWithDots) {
    const auto m = ok("John Q. Public <jqp@example.org>");
    EXPECT_EQ(m[0].display_name, "John Q. Public");
}

TEST(MailAddressList, ObsRouteIsDropped) {
    const auto m = ok("Joe <@relay1.example,@relay2.example:joe@example.org>");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].address, "joe@example.org");
    EXPECT_EQ(ok("<@a.example, ,@b.example:x@y.example>")[0].address, "x@y.example");
}

TEST(MailAddressList, ObsLocalPartWithQuotedWordsAndCfws) {
    EXPECT_EQ(ok("john . \"q\" . public@example.org")[0].address, "john.q.public@example.org");
    EXPECT_EQ(ok("\"info\"@example.de")[0].address, "info@example.de");
    EXPECT_EQ(ok("\"a b\"@example.de")[0].address, "\"a b\"@example.de");
    EXPECT_EQ(ok("\"a\\\"b\"@example.de")[0].address, "\"a\\\"b\"@example.de");
}

TEST(MailAddressList, FoldedInputLfAndCrlf) {
    const auto m = ok("Info\r\n Desk\n\t<info@\r\n example.de>,\n b@x.example\r\n");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].display_name, "Info Desk");
    EXPECT_EQ(m[0].address, "info@example.de");
    EXPECT_EQ(m[1].address, "b@x.example");
}

TEST(MailAddressList, LineBreakWithoutWhiteSpaceIsAnError) {
    const AddressListResult r = bad("a@x.example\nBcc: evil@x.example");
    EXPECT_EQ(r.error, "line break not followed by white space");
    EXPECT_EQ(r.error_offset, 11u);
    EXPECT_EQ(bad("a@x.example\r b@y.example").error, "line break not followed by white space");
}

TEST(MailAddressList, DomainsAreLowercasedAndLoseATrailingDot) {
    EXPECT_EQ(ok("Info@EXAMPLE.De.")[0].address, "Info@example.de");
    EXPECT_EQ(ok("<a@Example.ORG.>")[0].address, "a@example.org");
    EXPECT_EQ(ok("a@[192.0.2.1]")[0].address, "a@[192.0.2.1]");
    EXPECT_EQ(ok("a@[IPv6:2001:DB8::1]")[0].address, "a@[ipv6:2001:db8::1]");
}

TEST(MailAddressList, NameThatLooksLikeAnAddress) {
    const auto m = ok("\"boss@bank.example\" <info@example.de>");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].display_name, "boss@bank.example");
    EXPECT_EQ(m[0].address, "info@example.de");
}

TEST(MailAddressList, PreciseSyntaxErrors) {
    EXPECT_EQ(bad("John Doe").error,
              "expected '@', '<' or ':' after a name (an address is local@domain)");
    EXPECT_EQ(bad("<>").error, "empty address <>");
    EXPECT_EQ(bad("A <a@x.example").error, "address not closed with '>'");
    EXPECT_EQ(bad("A <a@x.example").error_offset, 2u);
    EXPECT_EQ(bad("\"open <a@x.example>").error, "quoted string not closed with '\"'");
    EXPECT_EQ(bad("(open a@x.example").error, "comment not closed with ')'");
    EXPECT_EQ(bad("a@").error, "missing domain after '@'");
    EXPECT_EQ(bad("@x.example").error, "missing local part before '@'");
    EXPECT_EQ(bad("a..b@x.example").error, "misplaced '.' in a local part");
    EXPECT_EQ(bad("John Doe@x.example").error, "expected '.' or '@' in a local part");
    EXPECT_EQ(bad("John Doe@x.example").error_offset, 5u);
    EXPECT_EQ(bad("a@x.example b@y.example").error, "expected ',' between addresses");
    EXPECT_EQ(bad("a@x.example;").error, "';' outside a group");
    EXPECT_EQ(bad("g: h: a@x.example;;").error, "a group inside a group");
    EXPECT_EQ(bad(": a@x.example;").error, "a group needs a name before ':'");
    EXPECT_EQ(bad("\"a\x01\" <a@x.example>").error, "control character in a quoted string");
    EXPECT_EQ(bad("a\x01@x.example").error, "control character in an address list");
    EXPECT_EQ(bad("a\x01@x.example").error_offset, 1u);
    EXPECT_EQ(bad("a@x.example, [b]").error, "unexpected character in an address list");
    EXPECT_EQ(bad("<@a.example b@c.example>").error, "expected ',' or ':' in a route");
    EXPECT_EQ(bad("a@[x").error, "domain literal not closed with ']'");
    EXPECT_EQ(bad("A <a@x.example b>").error, "expected '>' after the address");
    for (const auto& r : {bad("John Doe"), bad("<>")}) {
        EXPECT_EQ(r.error_kind, AddressListErrorKind::Syntax);
    }
}

TEST(MailAddressList, ByteLimit) {
    AddressListLimits limits;
    limits.max_bytes = 20;
    EXPECT_TRUE(parse_address_list("a@x.example", limits).ok);
    const AddressListResult r = parse_address_list("aaaaaaaaaa@xxxxxxxxxx.example", limits);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_kind, AddressListErrorKind::TooLong);
    EXPECT_EQ(r.error, "field value has 29 bytes (at most 20)");
    const std::string huge(64 * 1024 + 1, 'a');
    EXPECT_EQ(parse_address_list(huge).error_kind, AddressListErrorKind::TooLong);
}

TEST(MailAddressList, AddressCountLimit) {
    std::string value;
    for (int i = 0; i < 1000; ++i) value += "a" + std::to_string(i) + "@x.example,";
    EXPECT_EQ(ok(value).size(), 1000u);
    value += "one-more@x.example";
    const AddressListResult r = parse_address_list(value);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_kind, AddressListErrorKind::TooManyAddresses);
    EXPECT_EQ(r.error, "more than 1000 addresses");
}

TEST(MailAddressList, DeepCommentNestingIsLinearAndFine) {
    const std::string value = std::string(30000, '(') + std::string(30000, ')') + " a@x.example";
    const auto m = ok(value);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].address, "a@x.example");
    EXPECT_EQ(bad(std::string(60000, '(')).error, "comment not closed with ')'");
}

TEST(MailAddressList, NamesMailboxIgnoresCaseAndExtensions) {
    EXPECT_TRUE(names_mailbox("info@example.de", "info@example.de", "+"));
    EXPECT_TRUE(names_mailbox("Info+x@Example.DE", "info@example.de", "+"));
    EXPECT_TRUE(names_mailbox("info-x@example.de", "info@example.de", "+-"));
    EXPECT_FALSE(names_mailbox("info-x@example.de", "info@example.de", "+"));
    EXPECT_FALSE(names_mailbox("info+x@example.de", "info@example.de", ""));
    EXPECT_FALSE(names_mailbox("info@example.org", "info@example.de", "+"));
    EXPECT_FALSE(names_mailbox("sales@example.de", "info@example.de", "+"));
    EXPECT_FALSE(names_mailbox("", "", "+"));
    // A mailbox whose name holds the delimiter still matches itself.
    EXPECT_TRUE(names_mailbox("a+b@example.de", "a+b@example.de", "+"));
}

}  // namespace
}  // namespace boxwarden
