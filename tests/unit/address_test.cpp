#include <gtest/gtest.h>

#include "boxwarden/address.h"

namespace boxwarden {
namespace {

TEST(Address, NormalizeTrimsBracketsAndLowercasesAscii) {
    EXPECT_EQ(normalize_address("  <Info@Example.DE> "), "info@example.de");
    EXPECT_EQ(normalize_address("MÜLLER@x.de"), "mÜller@x.de");  // non-ASCII left alone
}

TEST(Address, LocalPartRulesMatchTheSqlTrigger) {
    EXPECT_FALSE(local_part_problem("info"));
    EXPECT_FALSE(local_part_problem("a!#$%&'*+-/=?^_`{|}~b"));
    EXPECT_FALSE(local_part_problem("first.last"));
    EXPECT_FALSE(local_part_problem(std::string(64, 'a')));
    EXPECT_EQ(*local_part_problem(std::string(65, 'a')),
              "the local part has 65 octets (at most 64)");
    EXPECT_TRUE(local_part_problem(""));
    EXPECT_TRUE(local_part_problem(".a"));
    EXPECT_TRUE(local_part_problem("a."));
    EXPECT_TRUE(local_part_problem("a..b"));
    EXPECT_TRUE(local_part_problem("a b"));
    EXPECT_TRUE(local_part_problem("a\"b"));
    EXPECT_TRUE(local_part_problem("a@b"));
    EXPECT_TRUE(local_part_problem("m\xC3\xBCller"));
    EXPECT_TRUE(local_part_problem("a\nb"));
}

TEST(Address, DomainRules) {
    EXPECT_FALSE(domain_problem("example.de"));
    EXPECT_FALSE(domain_problem("xn--mller-kva.de"));
    EXPECT_FALSE(domain_problem("a.b.c.example"));
    EXPECT_TRUE(domain_problem("localhost"));
    EXPECT_TRUE(domain_problem("-a.de"));
    EXPECT_TRUE(domain_problem("a-.de"));
    EXPECT_TRUE(domain_problem("a..de"));
    EXPECT_TRUE(domain_problem(".de"));
    EXPECT_TRUE(domain_problem("ex_ample.de"));
    EXPECT_TRUE(domain_problem(std::string(64, 'a') + ".de"));
    EXPECT_FALSE(domain_problem(std::string(63, 'a') + ".de"));
}

TEST(Address, ParseSplitsAtTheLastAt) {
    auto a = parse_mail_address("<Sales@Example.de>");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->local_part, "sales");
    EXPECT_EQ(a->domain, "example.de");
    EXPECT_EQ(a->str(), "sales@example.de");
    EXPECT_FALSE(parse_mail_address("a@b@example.de"));
    EXPECT_FALSE(parse_mail_address("noat"));
    EXPECT_EQ(*address_problem("noat"), "an address is local-part@domain");
    EXPECT_FALSE(address_problem("ok@example.de"));
}

TEST(Address, StripExtension) {
    EXPECT_EQ(strip_address_extension("info+news@example.de", "+"), "info@example.de");
    EXPECT_EQ(strip_address_extension("info-news@example.de", "+-"), "info@example.de");
    EXPECT_EQ(strip_address_extension("info@example.de", "+"), "info@example.de");
    EXPECT_EQ(strip_address_extension("+x@example.de", "+"), "+x@example.de");
    EXPECT_EQ(strip_address_extension("info+a@example.de", ""), "info+a@example.de");
}

// What Postfix resolves to the same mailbox must be normalised to it.
TEST(Address, NormalizeResolvesLikePostfix) {
    EXPECT_EQ(normalize_address("old@example.de."), "old@example.de");
    EXPECT_EQ(normalize_address("<OLD@Example.DE.>"), "old@example.de");
    EXPECT_EQ(normalize_address("\"old\"@example.de"), "old@example.de");
    EXPECT_EQ(normalize_address("<\"Old\"@example.de.>"), "old@example.de");
    EXPECT_EQ(normalize_address("\"o\\ld\"@example.de"), "old@example.de");
    EXPECT_EQ(normalize_address("\"a b\"@example.de"), "a b@example.de");
    EXPECT_EQ(normalize_address("<@relay.example:old@example.de>"), "old@example.de");
    // Only one dot, and never the whole domain.
    EXPECT_EQ(normalize_address("old@example.de.."), "old@example.de..");
    EXPECT_EQ(normalize_address("old@."), "old@.");
    EXPECT_EQ(normalize_address("nodomain."), "nodomain.");
    // An unterminated quote is left as it is (and then invalid).
    EXPECT_EQ(normalize_address("\"old@example.de"), "\"old@example.de");
    ASSERT_TRUE(parse_mail_address("\"old\"@example.de."));
    EXPECT_EQ(parse_mail_address("\"old\"@example.de.")->str(), "old@example.de");
    EXPECT_FALSE(address_problem("old@example.de."));
}

TEST(Address, LookupKeysAreFullAddressThenWithoutExtension) {
    EXPECT_EQ(mailbox_lookup_keys(*parse_mail_address("c+d@example.de"), "+"),
              (std::vector<std::string>{"c+d@example.de", "c@example.de"}));
    EXPECT_EQ(mailbox_lookup_keys(*parse_mail_address("c+d+e@example.de"), "+"),
              (std::vector<std::string>{"c+d+e@example.de", "c@example.de"}));
    EXPECT_EQ(mailbox_lookup_keys(*parse_mail_address("info@example.de"), "+"),
              (std::vector<std::string>{"info@example.de"}));
    EXPECT_EQ(mailbox_lookup_keys(*parse_mail_address("c+d@example.de"), ""),
              (std::vector<std::string>{"c+d@example.de"}));
    // "a." is no valid local part: only the full address is a key.
    EXPECT_EQ(mailbox_lookup_keys(*parse_mail_address("a.+b@example.de"), "+"),
              (std::vector<std::string>{"a.+b@example.de"}));
}

}  // namespace
}  // namespace boxwarden
