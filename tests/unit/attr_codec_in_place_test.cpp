// The in-place parser (views into its buffer) against the byte-by-byte
// parser it replaced: same requests, same error, same mid_request, for
// generated streams fed in random chunks, with requests taken in between.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "boxwarden/attr_codec.h"
#include "reference_attr_parser.h"

namespace boxwarden {
namespace {

struct Outcome {
    std::vector<AttrRequest> requests;
    std::optional<AttrError> error;
    bool mid_request = false;
    bool operator==(const Outcome&) const = default;
};

// Streams that hit every rule: good requests, CRLF, '%' escapes good and
// bad, NUL, lines without '=', empty names, long lines, many attributes.
std::string random_stream(std::mt19937& rng) {
    static const std::vector<std::string> pieces = {"request=smtpd_access_policy\n",
                                                    "recipient=info@example.de\n",
                                                    "sender=\n",
                                                    "a=b\r\n",
                                                    "x=%41%0a%25\n",
                                                    "x=%4\n",
                                                    "x=%zz\n",
                                                    "\n",
                                                    "\r\n",
                                                    "noequals\n",
                                                    "=value\n",
                                                    std::string(1, '\0'),
                                                    "name=" + std::string(20, 'v') + "\n",
                                                    "name=" + std::string(11, 'v') + "\r\n",
                                                    "k=" + std::string(14, 'w') + "\r\r\n",
                                                    "client_address=192.0.2.1\n",
                                                    "partial=",
                                                    "\r",
                                                    "=",
                                                    "%"};
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::uniform_int_distribution<int> count(0, 30);
    std::string out;
    for (int i = count(rng); i > 0; --i) out += pieces[pick(rng)];
    return out;
}

Outcome reference_outcome(const std::string& input, AttrEncoding encoding, AttrLimits limits) {
    reference::ByteParser parser(encoding, limits);
    parser.feed(input);
    Outcome out;
    while (auto r = parser.next()) out.requests.push_back(std::move(*r));
    out.error = parser.error();
    out.mid_request = parser.mid_request();
    return out;
}

Outcome in_place_outcome(const std::string& input, AttrEncoding encoding, AttrLimits limits,
                         std::mt19937& rng) {
    AttrRequestParser parser(encoding, limits);
    Outcome out;
    std::uniform_int_distribution<std::size_t> chunk(0, 12);
    std::bernoulli_distribution take_now(0.4);
    std::string_view rest(input);
    while (!rest.empty()) {
        const std::size_t n = std::min(chunk(rng), rest.size());
        parser.feed(rest.substr(0, n));
        rest.remove_prefix(n);
        if (take_now(rng)) {
            while (auto v = parser.next_view()) out.requests.push_back(v->to_owned());
        }
    }
    while (auto r = parser.next()) out.requests.push_back(std::move(*r));
    out.error = parser.error();
    out.mid_request = parser.mid_request();
    return out;
}

TEST(AttrCodecInPlace, SameOutcomeAsTheByteByByteParser) {
    std::mt19937 rng(20261201);
    const AttrLimits tight{.max_line_bytes = 16, .max_attributes = 4, .max_request_bytes = 80};
    int errors = 0;
    int requests = 0;
    for (int round = 0; round < 4000; ++round) {
        const std::string input = random_stream(rng);
        for (AttrEncoding encoding : {AttrEncoding::Raw, AttrEncoding::Escaped}) {
            for (AttrLimits limits : {AttrLimits{}, tight}) {
                const Outcome expected = reference_outcome(input, encoding, limits);
                const Outcome got = in_place_outcome(input, encoding, limits, rng);
                ASSERT_EQ(got, expected) << "input: " << sanitize_for_log(input, 2000);
                errors += expected.error.has_value();
                requests += static_cast<int>(expected.requests.size());
            }
        }
    }
    // The generator really reaches both outcomes.
    EXPECT_GT(errors, 1000);
    EXPECT_GT(requests, 1000);
}

TEST(AttrCodecInPlace, EveryErrorKindIsReachedAndMatches) {
    const AttrLimits tight{.max_line_bytes = 8, .max_attributes = 2, .max_request_bytes = 15};
    const std::vector<std::pair<std::string, AttrError>> cases = {
        {"abc\n", AttrError::MissingEquals},
        {"=x\n", AttrError::EmptyName},
        {"a=123456789\n", AttrError::LineTooLong},
        {"a=123456\r\r\n", AttrError::LineTooLong},  // one '\r' of slack, not two
        {"a=1\nb=2\nc=3\n", AttrError::TooManyAttributes},
        {std::string("a=\0\n", 4), AttrError::NulByte},
        {"a=%4g\n", AttrError::BadEscape},
        {"aa=12345\r\nbb=12345\r\n", AttrError::RequestTooLarge},
        {std::string("a=1\n\naa=12345\r\nbb=123\0", 22), AttrError::RequestTooLarge},
    };
    for (const auto& [input, error] : cases) {
        const Outcome expected = reference_outcome(input, AttrEncoding::Escaped, tight);
        EXPECT_EQ(expected.error, error) << sanitize_for_log(input);
        std::mt19937 rng(1);
        EXPECT_EQ(in_place_outcome(input, AttrEncoding::Escaped, tight, rng), expected)
            << sanitize_for_log(input);
    }
}

TEST(AttrCodecInPlace, ViewsPointIntoTheParserAndSurviveTakingOthers) {
    AttrRequestParser parser(AttrEncoding::Escaped);
    parser.feed("a=1\nb=%41\n\nc=3\n\nd=");
    const auto first = parser.next_view();
    ASSERT_TRUE(first);
    ASSERT_EQ(first->attributes.size(), 2u);
    EXPECT_EQ(first->find("b"), "A");
    EXPECT_EQ(first->find("zz"), std::nullopt);
    const AttrRequest owned = first->to_owned();
    EXPECT_EQ(owned, (AttrRequest{{{"a", "1"}, {"b", "A"}}}));
    const auto second = parser.next_view();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->to_owned(), (AttrRequest{{{"c", "3"}}}));
    EXPECT_FALSE(parser.next_view());
    EXPECT_TRUE(parser.mid_request());
    // The partial "d=" survives the compaction of the taken bytes.
    parser.feed("4\n\n");
    EXPECT_EQ(parser.next(), (AttrRequest{{{"d", "4"}}}));
    EXPECT_FALSE(parser.mid_request());
}

TEST(AttrCodecInPlace, AttrRequestViewsOfAnOwnedRequest) {
    const AttrRequest request{{{"x", "1"}, {"y", "2"}, {"x", "3"}}};
    const std::vector<AttrView> views = views_of(request);
    const AttrRequestView view{views};
    EXPECT_EQ(view.find("x"), "1");
    EXPECT_EQ(view.to_owned(), request);
}

}  // namespace
}  // namespace boxwarden
