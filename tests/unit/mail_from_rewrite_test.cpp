#include "boxwarden/from_rewrite.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxwarden {
namespace {

using namespace std::string_literals;

// --- choose_from_display_name ------------------------------------------------

FromNameFacts name_facts() {
    FromNameFacts f;
    f.sender_is_hosted_mailbox = true;
    f.mailbox_email_name = "M\xC3\xBCller Immobilien";
    f.sasl_login = "anna";
    f.login_is_user_account = true;
    f.user_display_name = "Anna Schmidt";
    return f;
}

TEST(MailFromName, EmailNameWinsOverTheUsersName) {
    const FromNameChoice c = choose_from_display_name(name_facts());
    EXPECT_EQ(c.source, FromNameSource::EmailName);
    EXPECT_EQ(c.name, "M\xC3\xBCller Immobilien");
}

TEST(MailFromName, UsersDisplayNameWhenNoEmailName) {
    FromNameFacts f = name_facts();
    f.mailbox_email_name = "  \t ";  // blank counts as not set
    const FromNameChoice c = choose_from_display_name(f);
    EXPECT_EQ(c.source, FromNameSource::UserDisplayName);
    EXPECT_EQ(c.name, "Anna Schmidt");
}

TEST(MailFromName, NoneWhenTheLoginIsNotAUserAccount) {
    FromNameFacts f = name_facts();
    f.mailbox_email_name.clear();
    f.login_is_user_account = false;  // e.g. the mailbox's own login
    const FromNameChoice c = choose_from_display_name(f);
    EXPECT_EQ(c.source, FromNameSource::NoneNoName);
    EXPECT_FALSE(c.name.has_value());
}

TEST(MailFromName, NoneWhenNeitherNameIsSet) {
    FromNameFacts f = name_facts();
    f.mailbox_email_name.clear();
    f.user_display_name = "\r\n\x01";  // nothing left after sanitizing
    EXPECT_EQ(choose_from_display_name(f).source, FromNameSource::NoneNoName);
}

TEST(MailFromName, NoneForAnUnhostedSenderOrWithoutLogin) {
    FromNameFacts f = name_facts();
    f.sender_is_hosted_mailbox = false;
    EXPECT_EQ(choose_from_display_name(f).source, FromNameSource::NoneNotHosted);
    EXPECT_FALSE(choose_from_display_name(f).name.has_value());
    f = name_facts();
    f.sasl_login.clear();
    EXPECT_EQ(choose_from_display_name(f).source, FromNameSource::NoneNotAuthenticated);
}

TEST(MailFromName, ChosenNameIsSanitized) {
    FromNameFacts f = name_facts();
    f.mailbox_email_name = "Evil\r\nBcc: x@y.example\x00 Co"s;
    // Control characters are dropped (sanitize_display_name), so no header starts.
    EXPECT_EQ(choose_from_display_name(f).name, "EvilBcc: x@y.example Co");
}

// --- check_from_header -------------------------------------------------------

FromOwnershipFacts owner() {
    FromOwnershipFacts f;
    f.sasl_login = "anna";
    f.assigned_mailboxes = {"ceo@example.de", "info@example.de"};
    f.recipient_delimiters = "+";
    return f;
}

TEST(MailFromCheck, AcceptsAnAssignedMailbox) {
    const FromVerdict v = check_from_header({" Anna <Info@Example.DE>"}, owner());
    EXPECT_EQ(v.check, FromCheck::Accept);
    EXPECT_EQ(v.smtp_code, 250);
    EXPECT_EQ(v.from.address, "Info@example.de");
    EXPECT_EQ(v.from.display_name, "Anna");
}

TEST(MailFromCheck, AcceptsAnAddressExtension) {
    EXPECT_EQ(check_from_header({"info+news@example.de"}, owner()).check, FromCheck::Accept);
}

TEST(MailFromCheck, AcceptsTheMailboxLoginItself) {
    FromOwnershipFacts f;
    f.sasl_login = "sales@example.de";
    f.login_is_mailbox = true;
    EXPECT_EQ(check_from_header({"sales@example.de"}, f).check, FromCheck::Accept);
    f.login_is_mailbox = false;  // a user login that merely looks like the address
    EXPECT_EQ(check_from_header({"sales@example.de"}, f).check, FromCheck::NotOwned);
}

TEST(MailFromCheck, RejectsAnAddressNotOwned) {
    const FromVerdict v = check_from_header({"Boss <boss@bank.example>"}, owner());
    EXPECT_EQ(v.check, FromCheck::NotOwned);
    EXPECT_EQ(v.smtp_code, 550);
    EXPECT_EQ(v.enhanced, "5.7.1");
    EXPECT_EQ(v.text,
              "From header address <boss@bank.example> is not owned by the authenticated login");
}

TEST(MailFromCheck, ANameThatLooksLikeAnOwnedAddressIsNotOwnership) {
    const FromVerdict v = check_from_header({"\"info@example.de\" <boss@bank.example>"}, owner());
    EXPECT_EQ(v.check, FromCheck::NotOwned);
}

TEST(MailFromCheck, RejectsNoFromHeader) {
    const FromVerdict v = check_from_header({}, owner());
    EXPECT_EQ(v.check, FromCheck::NoFrom);
    EXPECT_EQ(v.smtp_code, 550);
    EXPECT_EQ(v.enhanced, "5.6.0");
    EXPECT_EQ(v.text, "Message has no From header");
}

TEST(MailFromCheck, RejectsTwoFromHeadersEvenIfBothAreOwned) {
    const FromVerdict v = check_from_header({"info@example.de", "ceo@example.de"}, owner());
    EXPECT_EQ(v.check, FromCheck::SeveralFromHeaders);
    EXPECT_EQ(v.enhanced, "5.6.0");
    EXPECT_EQ(v.text, "Message has 2 From headers (exactly one is allowed)");
}

TEST(MailFromCheck, RejectsTwoAddressesInOneFrom) {
    const FromVerdict v = check_from_header({"info@example.de, ceo@example.de"}, owner());
    EXPECT_EQ(v.check, FromCheck::SeveralAddresses);
    EXPECT_EQ(v.enhanced, "5.7.1");
    EXPECT_EQ(v.text, "From header has 2 addresses (exactly one is allowed)");
}

TEST(MailFromCheck, RejectsAnUnparseableFrom) {
    FromVerdict v = check_from_header({"Info Desk"}, owner());
    EXPECT_EQ(v.check, FromCheck::Unparseable);
    EXPECT_EQ(v.enhanced, "5.6.0");
    EXPECT_EQ(v.text,
              "From header cannot be parsed: expected '@', '<' or ':' after a name (an address is "
              "local@domain) at byte 9");
    v = check_from_header({"team: info@example.de;"}, owner());
    EXPECT_EQ(v.check, FromCheck::Unparseable);
    EXPECT_EQ(v.text,
              "From header cannot be parsed: a group is not allowed in a mailbox list at byte 4");
    v = check_from_header({"info@example.de\nBcc: x@y.example"}, owner());
    EXPECT_EQ(v.check, FromCheck::Unparseable);
}

TEST(MailFromCheck, RejectsAnEmptyFrom) {
    const FromVerdict v = check_from_header({" (nobody) "}, owner());
    EXPECT_EQ(v.check, FromCheck::NoAddress);
    EXPECT_EQ(v.enhanced, "5.6.0");
    EXPECT_EQ(v.text, "From header has no address");
}

TEST(MailFromCheck, ReplyTextStaysPrintableAscii) {
    const FromVerdict v = check_from_header({"\"a\\\x7f\"@bank.example"}, owner());
    EXPECT_EQ(v.check, FromCheck::Unparseable);
    const FromVerdict w = check_from_header({"m\xC3\xBCller@bank.example"}, owner());
    EXPECT_EQ(w.check, FromCheck::NotOwned);
    EXPECT_EQ(w.text,
              "From header address <m??ller@bank.example> is not owned by the authenticated login");
}

// --- new_from_header_value (goldens) -----------------------------------------

std::string rewrite(std::string_view from_value, std::string_view name) {
    const AddressListResult parsed = parse_mailbox_list(from_value);
    EXPECT_TRUE(parsed.ok) << parsed.error;
    EXPECT_EQ(parsed.mailboxes.size(), 1u);
    const std::optional<std::string> value = new_from_header_value(parsed.mailboxes.at(0), name);
    EXPECT_TRUE(value.has_value());
    return value.value_or("");
}

// No CR, NUL, control character or U+2028/U+2029, and every LF starts a fold.
void expect_clean(const std::string& value) {
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c == '\n') {
            ASSERT_LT(i + 1, value.size());
            EXPECT_EQ(value[i + 1], ' ') << value;
            continue;
        }
        EXPECT_TRUE(c >= 0x20 && c < 0x7F) << "byte " << int(c) << " in " << value;
    }
    EXPECT_EQ(value.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_EQ(value.find("\xE2\x80\xA9"), std::string::npos);
}

// The value parses back to the same address and the sanitized name.
void expect_round_trip(const std::string& value, std::string_view address, std::string_view name) {
    const AddressListResult back = parse_mailbox_list(value);
    ASSERT_TRUE(back.ok) << back.error << " in " << value;
    ASSERT_EQ(back.mailboxes.size(), 1u);
    EXPECT_EQ(back.mailboxes[0].address, address);
    EXPECT_EQ(back.mailboxes[0].display_name, sanitize_display_name(name));
}

struct Golden {
    std::string from;
    std::string name;
    std::string expected;
};

TEST(MailFromRewrite, Goldens) {
    const std::vector<Golden> goldens = {
        {"info@example.de", "Info Desk", "Info Desk <info@example.de>"},
        {"Old <info@example.de>", "M\xC3\xBCller Immobilien",
         "=?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>"},
        {"info@example.de", "Party \xF0\x9F\x8E\x89",
         "=?UTF-8?B?UGFydHkg8J+OiQ==?= <info@example.de>"},
        {"info@example.de", "Doe, \"JD\" \\ Co", "\"Doe, \\\"JD\\\" \\\\ Co\" <info@example.de>"},
        {"info@example.de", "Sales; Support", "\"Sales; Support\" <info@example.de>"},
        {"\"boss@bank.example\" <info@example.de>", "boss@bank.example",
         "\"boss@bank.example\" <info@example.de>"},
        {"=?UTF-8?B?TcO8bGxlcg==?= <info@example.de>", "=?UTF-8?B?TcO8bGxlcg==?=",
         "=?UTF-8?B?PT9VVEYtOD9CP1RjTzhiR3hsY2c9PT89?= <info@example.de>"},
        {"(comment) John Q. Public (x) <@relay.example:info@example.de>", "John Q. Public",
         "\"John Q. Public\" <info@example.de>"},
        {"info@example.de", "Evil\r\nBcc: x@y.example",
         "\"EvilBcc: x@y.example\" <info@example.de>"},
        {"info@example.de", std::string("N\0U\x01L", 5), "NUL <info@example.de>"},
        {"info@example.de", "Line\xE2\x80\xA8Sep\xE2\x80\xA9Para",
         "Line Sep Para <info@example.de>"},
    };
    for (const Golden& g : goldens) {
        const std::string value = rewrite(g.from, g.name);
        EXPECT_EQ(value, g.expected) << g.name;
        expect_clean(value);
        expect_round_trip(value, "info@example.de", g.name);
    }
}

TEST(MailFromRewrite, NulInTheStoredNameIsDropped) {
    const std::string name("Ann\0a", 5);
    const std::string value = rewrite("info@example.de", name);
    EXPECT_EQ(value, "Anna <info@example.de>");
}

TEST(MailFromRewrite, GroupSyntaxInTheNameIsQuoted) {
    const std::string value = rewrite("info@example.de", "team: a@x.example;");
    EXPECT_EQ(value, "\"team: a@x.example;\" <info@example.de>");
    expect_round_trip(value, "info@example.de", "team: a@x.example;");
}

TEST(MailFromRewrite, ALongNameIsCappedAndFoldedAt78) {
    std::string name;
    for (int i = 0; i < 40; ++i) name += "W\xC3\xB6rd ";  // 240 bytes, non-ASCII
    const std::string value = rewrite("info@example.de", name);
    expect_clean(value);
    std::size_t start = 0;
    bool first = true;
    while (start <= value.size()) {
        const std::size_t nl = value.find('\n', start);
        const std::string line = value.substr(start, nl == std::string::npos ? nl : nl - start);
        EXPECT_LE(line.size() + (first ? 6 : 0), 78u) << line;  // "From: " on the first
        first = false;
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    expect_round_trip(value, "info@example.de", name);
    EXPECT_EQ(sanitize_display_name(name).size(), 199u);  // 200-byte cap, before the 2-byte "ö"
}

TEST(MailFromRewrite, A200CharacterAsciiNameFolds) {
    std::string name;
    while (name.size() < 200) name += "Name ";
    name.resize(200);
    const std::string value = rewrite("info@example.de", name);
    expect_clean(value);
    EXPECT_NE(value.find('\n'), std::string::npos);
    expect_round_trip(value, "info@example.de", name);
}

TEST(MailFromRewrite, EmptyNameGivesTheBareAngleAddress) {
    EXPECT_EQ(rewrite("X <info@example.de>", ""), "<info@example.de>");
}

TEST(MailFromRewrite, AnAddressThatCannotBeWrittenIsLeftAlone) {
    HeaderMailbox m{"", "\"a b\"@example.de", ""};
    EXPECT_FALSE(new_from_header_value(m, "Name").has_value());
    m.address = "a@[192.0.2.1]";
    EXPECT_FALSE(new_from_header_value(m, "Name").has_value());
}

}  // namespace
}  // namespace boxwarden
