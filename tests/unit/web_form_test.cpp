// boxwarden-web's pure parts: form and cookie parsing, the login throttle and
// its log line, language choice, tokens and their comparison.
#include <gtest/gtest.h>

#include "form.h"
#include "i18n.h"
#include "security.h"
#include "sessions.h"
#include "throttle.h"

namespace boxwarden::web {
namespace {

TEST(WebForm, DecodesPercentAndPlusAndRefusesBadEscapes) {
    EXPECT_EQ(url_decode("a+b%C3%BC%20c").value(), "a b\xC3\xBC c");
    EXPECT_FALSE(url_decode("%zz").has_value());
    EXPECT_FALSE(url_decode("abc%4").has_value());
    EXPECT_FALSE(url_decode("%").has_value());
    EXPECT_EQ(url_encode("a b/ü"), "a%20b%2F%C3%BC");
}

TEST(WebForm, RepeatedFieldsKeepEveryValue) {
    Form f("id=1&id=2&csrf=x&bad=%zz&=empty&flag");
    EXPECT_EQ(f.all("id"), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(f.get("csrf"), "x");
    EXPECT_FALSE(f.has("bad"));
    EXPECT_TRUE(f.has("flag"));
    EXPECT_EQ(f.get("missing"), "");
}

TEST(WebForm, CookiesFirstValueWins) {
    auto c = parse_cookies("bw_session=abc; bw_lang=de; bw_session=evil");
    EXPECT_EQ(c["bw_session"], "abc");
    EXPECT_EQ(c["bw_lang"], "de");
}

TEST(WebThrottle, AccountAndAddressLimits) {
    ThrottleLimits l{5, 20};
    EXPECT_EQ(decide_login_throttle(4, 19, l), ThrottleVerdict::Allow);
    EXPECT_EQ(decide_login_throttle(5, 0, l), ThrottleVerdict::AccountThrottled);
    EXPECT_EQ(decide_login_throttle(0, 20, l), ThrottleVerdict::AddressThrottled);
}

TEST(WebThrottle, LogLineHasTheAddressFirstAndAPrintableName) {
    const std::string line =
        login_failure_log_line("192.0.2.7", "x' from 10.0.0.1\nfake", ThrottleVerdict::Allow);
    EXPECT_EQ(line.rfind("login failed from 192.0.2.7 for admin '", 0), 0u) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_NE(line.find("\\x27"), std::string::npos);
}

TEST(WebI18n, CookieThenBrowserThenEnglish) {
    EXPECT_EQ(choose_language("de", "en-US"), "de");
    EXPECT_EQ(choose_language("", "fr-FR, de-DE;q=0.8, en;q=0.5"), "de");
    EXPECT_EQ(choose_language("xx", "fr"), "en");
    EXPECT_EQ(text("de", "mailbox_active"), "Postfach aktiv");
    // Both languages have the same keys.
    ASSERT_EQ(texts("de").size(), texts("en").size());
    for (size_t i = 0; i < texts("de").size(); ++i)
        EXPECT_EQ(texts("de")[i].first, texts("en")[i].first);
}

TEST(WebSecurity, TokensAreRandomHexAndCompareExactly) {
    const std::string a = random_token(32), b = random_token(32);
    EXPECT_EQ(a.size(), 64u);
    EXPECT_NE(a, b);
    EXPECT_TRUE(well_formed_session_cookie(a));
    EXPECT_FALSE(well_formed_session_cookie(a.substr(1)));
    EXPECT_FALSE(well_formed_session_cookie(std::string(64, 'G')));
    EXPECT_TRUE(constant_time_equal(a, a));
    EXPECT_FALSE(constant_time_equal(a, b));
    EXPECT_FALSE(constant_time_equal(a, a.substr(0, 63)));
    EXPECT_FALSE(constant_time_equal("", ""));  // a missing token never matches
    const std::string cookie = session_cookie("bw_session", a, true, 0);
    EXPECT_NE(cookie.find("HttpOnly; SameSite=Strict; Secure"), std::string::npos);
    EXPECT_EQ(session_cookie("bw_session", a, false, 0).find("Secure"), std::string::npos);
}

}  // namespace
}  // namespace boxwarden::web
