// Parsing Postfix policy requests: what is malformed, what is ignored.
#include <gtest/gtest.h>

#include "policy_request.h"

namespace boxwarden::policyd {
namespace {

AttrRequest make(AttrList attrs) {
    return AttrRequest{std::move(attrs)};
}

TEST(PolicydPolicyRequest, TakesTheVerdictAttributesAndIgnoresUnknownOnes) {
    auto r = parse_policy_request(make({{"request", "smtpd_access_policy"},
                                        {"protocol_state", "RCPT"},
                                        {"future_attribute", "\xff\xfe whatever"},
                                        {"recipient", "info@example.de"},
                                        {"sender", "a@example.org"},
                                        {"sasl_username", "anna"},
                                        {"client_name", "\xc3"}}));
    ASSERT_TRUE(std::holds_alternative<PolicyQuery>(r));
    const auto& q = std::get<PolicyQuery>(r);
    EXPECT_EQ(q.protocol_state, "RCPT");
    EXPECT_EQ(q.recipient, "info@example.de");
    EXPECT_EQ(q.sender, "a@example.org");
    EXPECT_EQ(q.sasl_username, "anna");
}

TEST(PolicydPolicyRequest, MissingOrForeignRequestNameIsMalformed) {
    EXPECT_TRUE(std::holds_alternative<MalformedRequest>(
        parse_policy_request(make({{"recipient", "info@example.de"}}))));
    EXPECT_TRUE(std::holds_alternative<MalformedRequest>(
        parse_policy_request(make({{"request", "status"}}))));
    EXPECT_TRUE(std::holds_alternative<MalformedRequest>(parse_policy_request(make({}))));
}

TEST(PolicydPolicyRequest, InvalidUtf8InAddressesOrLoginIsMalformed) {
    for (const char* name : {"recipient", "sender", "sasl_username"}) {
        auto r = parse_policy_request(
            make({{"request", "smtpd_access_policy"}, {name, "in\xc0\xafo@example.de"}}));
        ASSERT_TRUE(std::holds_alternative<MalformedRequest>(r)) << name;
        const std::string& reason = std::get<MalformedRequest>(r).reason;
        EXPECT_NE(reason.find(name), std::string::npos) << reason;
        // The reason is logged: the bad bytes must arrive escaped.
        EXPECT_EQ(reason.find('\xc0'), std::string::npos);
    }
}

TEST(PolicydPolicyRequest, MissingAttributesAreEmpty) {
    auto r = parse_policy_request(make({{"request", "smtpd_access_policy"}}));
    ASSERT_TRUE(std::holds_alternative<PolicyQuery>(r));
    EXPECT_EQ(std::get<PolicyQuery>(r).recipient, "");
}

}  // namespace
}  // namespace boxwarden::policyd
