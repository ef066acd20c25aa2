#include "boxwarden/attr_codec.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace boxwarden {
namespace {

using namespace std::literals;

struct ParseOutcome {
    std::vector<AttrRequest> requests;
    std::optional<AttrError> error;
    bool mid_request = false;

    bool operator==(const ParseOutcome&) const = default;
};

ParseOutcome drain(AttrRequestParser& parser) {
    ParseOutcome out;
    while (auto request = parser.next()) out.requests.push_back(std::move(*request));
    out.error = parser.error();
    out.mid_request = parser.mid_request();
    return out;
}

ParseOutcome parse_chunks(const std::vector<std::string_view>& chunks, AttrEncoding encoding,
                          AttrLimits limits = {}) {
    AttrRequestParser parser(encoding, limits);
    for (auto chunk : chunks) parser.feed(chunk);
    return drain(parser);
}

ParseOutcome parse(std::string_view bytes, AttrEncoding encoding = AttrEncoding::Raw,
                   AttrLimits limits = {}) {
    return parse_chunks({bytes}, encoding, limits);
}

AttrRequest request(AttrList attributes) {
    return AttrRequest{std::move(attributes)};
}

// ---- parsing -------------------------------------------------------------

TEST(AttrCodecParse, PolicyRequest) {
    const auto out = parse(
        "request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@example.org\n"
        "recipient=info@example.de\nclient_address=192.0.2.1\n\n");
    ASSERT_FALSE(out.error);
    ASSERT_EQ(out.requests.size(), 1u);
    const auto& req = out.requests[0];
    EXPECT_EQ(req.attributes.size(), 5u);
    EXPECT_EQ(req.find("recipient"), "info@example.de");
    EXPECT_EQ(req.find("request"), "smtpd_access_policy");
    EXPECT_EQ(req.find("sasl_username"), std::nullopt);
    EXPECT_FALSE(out.mid_request);
}

TEST(AttrCodecParse, KeepsOrderAndFindReturnsFirstOfRepeatedName) {
    const auto out = parse("b=1\na=2\nb=3\n\n");
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0], request({{"b", "1"}, {"a", "2"}, {"b", "3"}}));
    EXPECT_EQ(out.requests[0].find("b"), "1");
}

TEST(AttrCodecParse, SplitsAtFirstEquals) {
    const auto out = parse("ccert_subject=CN=mail,O=x==\nempty=\n\n");
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0], request({{"ccert_subject", "CN=mail,O=x=="}, {"empty", ""}}));
    EXPECT_EQ(out.requests[0].find("empty"), "");
}

TEST(AttrCodecParse, StripsOneTrailingCarriageReturn) {
    const auto out = parse("a=1\r\nb=2\r\r\nc=x\ry\n\r\n");
    ASSERT_FALSE(out.error);
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0], request({{"a", "1"}, {"b", "2\r"}, {"c", "x\ry"}}));
}

TEST(AttrCodecParse, EmptyLineAloneIsAnEmptyRequest) {
    const auto out = parse("\n\r\n");
    ASSERT_FALSE(out.error);
    ASSERT_EQ(out.requests.size(), 2u);
    EXPECT_TRUE(out.requests[0].attributes.empty());
    EXPECT_TRUE(out.requests[1].attributes.empty());
}

TEST(AttrCodecParse, PipelinedRequestsInOneChunk) {
    AttrRequestParser parser(AttrEncoding::Raw);
    parser.feed("n=1\n\nn=2\nx=y\n\nn=3\n\nn=4");
    EXPECT_EQ(parser.next(), request({{"n", "1"}}));
    EXPECT_EQ(parser.next(), request({{"n", "2"}, {"x", "y"}}));
    EXPECT_EQ(parser.next(), request({{"n", "3"}}));
    EXPECT_EQ(parser.next(), std::nullopt);
    EXPECT_TRUE(parser.mid_request());
    parser.feed("\n");
    EXPECT_EQ(parser.next(), std::nullopt);  // line done, request not yet
    parser.feed("\n");
    EXPECT_EQ(parser.next(), request({{"n", "4"}}));
    EXPECT_FALSE(parser.mid_request());
    EXPECT_FALSE(parser.error());
}

TEST(AttrCodecParse, IncompleteInputYieldsNothing) {
    const auto out = parse("a=1\nb=2");
    EXPECT_TRUE(out.requests.empty());
    EXPECT_FALSE(out.error);
    EXPECT_TRUE(out.mid_request);
}

TEST(AttrCodecParse, RawTakesValuesVerbatim) {
    const auto out = parse("v=%0A%zz 100%\n\n", AttrEncoding::Raw);
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0].find("v"), "%0A%zz 100%");
}

TEST(AttrCodecParse, EscapedDecodesValuesButNotNames) {
    const auto out = parse("n%41=a%0Ab%25%0d%c3%A9\n\n", AttrEncoding::Escaped);
    ASSERT_FALSE(out.error);
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0], request({{"n%41", "a\nb%\r\xc3\xa9"}}));
}

// Every way of cutting a stream into two or three chunks, and byte-by-byte,
// gives the same outcome as one chunk.
void expect_chunking_invariant(std::string_view stream, AttrEncoding encoding, AttrLimits limits) {
    const ParseOutcome whole = parse(stream, encoding, limits);
    for (size_t i = 0; i <= stream.size(); ++i) {
        EXPECT_EQ(parse_chunks({stream.substr(0, i), stream.substr(i)}, encoding, limits), whole)
            << "split at " << i;
        for (size_t j = i; j <= stream.size(); j += 7) {
            EXPECT_EQ(parse_chunks({stream.substr(0, i), stream.substr(i, j - i), stream.substr(j)},
                                   encoding, limits),
                      whole)
                << "split at " << i << " and " << j;
        }
    }
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
    EXPECT_EQ(parse_chunks(bytes, encoding, limits), whole);
}

TEST(AttrCodecParse, ChunkingAtEveryByteBoundaryGivesSameResult) {
    const std::string stream =
        "request=smtpd_access_policy\r\nsender=a@b\nrecipient=c@d=e\n\n"
        "\nbody=line%0Aline%25\r\nx=\n\nq=1\nr=";
    for (auto encoding : {AttrEncoding::Raw, AttrEncoding::Escaped}) {
        const auto whole = parse(stream, encoding);
        ASSERT_EQ(whole.requests.size(), 3u);
        ASSERT_FALSE(whole.error);
        expect_chunking_invariant(stream, encoding, {});
    }
    // Streams that end in each kind of error, with tight limits so the
    // limit checks are crossed at every split point too.
    const AttrLimits tight{.max_line_bytes = 8, .max_attributes = 2, .max_request_bytes = 16};
    for (std::string_view bad :
         {"a=1\n\nnoequals\n"sv, "a=1\n\n=v\n"sv, "a=1\n\nabcd=12345\n"sv,
          "a=1\n\nabcd=123\r\r\n"sv, "a=1\n\na=1\nb=2\nc=3\n\n"sv, "a=1\n\naa=1234\nbb=5678\n\n"sv,
          "a=1\n\nb=x\0y\n"sv, "a=1\n\nb=%4\n\n"sv}) {
        expect_chunking_invariant(bad, AttrEncoding::Escaped, tight);
        const auto out = parse(bad, AttrEncoding::Escaped, tight);
        EXPECT_TRUE(out.error) << bad;
        EXPECT_EQ(out.requests.size(), 1u) << bad;
    }
}

// ---- errors --------------------------------------------------------------

TEST(AttrCodecErrors, EveryKind) {
    EXPECT_EQ(parse("a=1\nnoequals\n\n").error, AttrError::MissingEquals);
    EXPECT_EQ(parse("a=1\n=value\n\n").error, AttrError::EmptyName);
    EXPECT_EQ(parse("=\n").error, AttrError::EmptyName);
    EXPECT_EQ(parse("a=" + std::string(5000, 'x') + "\n\n").error, AttrError::LineTooLong);
    EXPECT_EQ(parse(std::string(5000, 'x')).error, AttrError::LineTooLong);
    std::string many;
    for (int i = 0; i < 257; ++i) many += "a=1\n";
    EXPECT_EQ(parse(many + "\n").error, AttrError::TooManyAttributes);
    std::string big;
    for (int i = 0; i < 20; ++i) big += "a=" + std::string(4000, 'x') + "\n";
    EXPECT_EQ(parse(big + "\n").error, AttrError::RequestTooLarge);
    EXPECT_EQ(parse("a=x\0y\n\n"s).error, AttrError::NulByte);
    EXPECT_EQ(parse("a\0=y\n\n"s).error, AttrError::NulByte);
    EXPECT_EQ(parse("\0"s).error, AttrError::NulByte);
    EXPECT_EQ(parse("a=%zz\n\n", AttrEncoding::Escaped).error, AttrError::BadEscape);
}

TEST(AttrCodecErrors, NulIsAnErrorInBothEncodingsButEscapedNulIsAValue) {
    EXPECT_EQ(parse("a=\0\n\n"s, AttrEncoding::Raw).error, AttrError::NulByte);
    EXPECT_EQ(parse("a=\0\n\n"s, AttrEncoding::Escaped).error, AttrError::NulByte);
    const auto out = parse("a=%00\n\n", AttrEncoding::Escaped);
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0].find("a"), "\0"s);
}

TEST(AttrCodecErrors, BadEscapes) {
    for (std::string_view value : {"%", "%4", "%G0", "%0G", "%-1", "%%", "ok%", "ok%a", "% 41"}) {
        EXPECT_EQ(parse("a=" + std::string(value) + "\n\n", AttrEncoding::Escaped).error,
                  AttrError::BadEscape)
            << value;
        // Raw never looks at '%'.
        EXPECT_FALSE(parse("a=" + std::string(value) + "\n\n", AttrEncoding::Raw).error) << value;
    }
}

TEST(AttrCodecErrors, ParserStopsAtFirstErrorButKeepsEarlierRequests) {
    AttrRequestParser parser(AttrEncoding::Raw);
    parser.feed("a=1\n\nb=2\n\nbroken\nc=3\n\n");
    EXPECT_EQ(parser.error(), AttrError::MissingEquals);
    parser.feed("d=4\n\n");
    EXPECT_EQ(parser.next(), request({{"a", "1"}}));
    EXPECT_EQ(parser.next(), request({{"b", "2"}}));
    EXPECT_EQ(parser.next(), std::nullopt);
    EXPECT_EQ(parser.error(), AttrError::MissingEquals);
}

TEST(AttrCodecErrors, LimitErrorsComeBeforeTheLineEnds) {
    // A peer that never sends '\n' is stopped at the limit, not buffered.
    AttrRequestParser parser(AttrEncoding::Raw);
    parser.feed(std::string(4096, 'x'));
    EXPECT_FALSE(parser.error());
    parser.feed("x");
    EXPECT_EQ(parser.error(), AttrError::LineTooLong);
}

TEST(AttrCodecErrors, DescriptionsAreDistinct) {
    const std::vector<AttrError> all = {AttrError::MissingEquals,   AttrError::EmptyName,
                                        AttrError::LineTooLong,     AttrError::TooManyAttributes,
                                        AttrError::RequestTooLarge, AttrError::NulByte,
                                        AttrError::BadEscape};
    for (size_t i = 0; i < all.size(); ++i) {
        EXPECT_FALSE(to_string(all[i]).empty());
        for (size_t j = 0; j < i; ++j) EXPECT_NE(to_string(all[i]), to_string(all[j]));
    }
    EXPECT_EQ(to_string(AttrError::BadEscape), "bad %-escape");
}

// ---- limits at and one past the boundary ---------------------------------

TEST(AttrCodecLimits, LineLength) {
    const std::string at = "a=" + std::string(4094, 'v');  // 4096 bytes
    EXPECT_FALSE(parse(at + "\n\n").error);
    EXPECT_FALSE(parse(at + "\r\n\r\n").error);  // the line end does not count
    EXPECT_EQ(parse(at + "v\n\n").error, AttrError::LineTooLong);
    EXPECT_EQ(parse(at + "v\r\n\n").error, AttrError::LineTooLong);
    EXPECT_EQ(parse(at + "\r\r\n\n").error, AttrError::LineTooLong);  // only one \r is a line end
    const auto out = parse(at + "\n\n");
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0].find("a")->size(), 4094u);
}

TEST(AttrCodecLimits, LineLengthCountsEscapedBytesOnTheWire) {
    const AttrLimits limits{.max_line_bytes = 8};
    EXPECT_FALSE(parse("a=%0A%0A\n\n", AttrEncoding::Escaped, limits).error);
    EXPECT_EQ(parse("a=%0A%0Ax\n\n", AttrEncoding::Escaped, limits).error, AttrError::LineTooLong);
}

TEST(AttrCodecLimits, AttributeCount) {
    std::string at;
    for (int i = 0; i < 256; ++i) at += "n" + std::to_string(i) + "=v\n";
    const auto ok = parse(at + "\n");
    EXPECT_FALSE(ok.error);
    ASSERT_EQ(ok.requests.size(), 1u);
    EXPECT_EQ(ok.requests[0].attributes.size(), 256u);
    EXPECT_EQ(parse(at + "x=v\n\n").error, AttrError::TooManyAttributes);
    // The count is per request.
    EXPECT_EQ(parse(at + "\n" + at + "\n").requests.size(), 2u);
}

TEST(AttrCodecLimits, RequestSize) {
    // 15 full lines of 4097 bytes, then one line that fills the request to
    // exactly 65536 bytes with its "\n" and the final empty line.
    std::string at;
    for (int i = 0; i < 15; ++i) at += "a=" + std::string(4094, 'v') + "\n";
    at += "b=" + std::string(65536 - at.size() - 4, 'v') + "\n\n";
    ASSERT_EQ(at.size(), 65536u);
    const auto ok = parse(at);
    EXPECT_FALSE(ok.error);
    EXPECT_EQ(ok.requests.size(), 1u);
    // One more byte anywhere in the request, even a '\r' of the final empty line.
    std::string past = at;
    past.insert(past.size() - 1, "\r");
    EXPECT_EQ(parse(past).error, AttrError::RequestTooLarge);
    past = at;
    past.insert(past.size() - 3, "v");
    EXPECT_EQ(parse(past).error, AttrError::RequestTooLarge);
    // The count restarts with each request.
    const auto two = parse(at + at);
    EXPECT_FALSE(two.error);
    EXPECT_EQ(two.requests.size(), 2u);
}

TEST(AttrCodecLimits, CustomLimits) {
    const auto raw = AttrEncoding::Raw;
    const AttrLimits line{.max_line_bytes = 3};
    EXPECT_EQ(parse("a=1\n\n", raw, line).requests.size(), 1u);
    EXPECT_EQ(parse("a=12\n\n", raw, line).error, AttrError::LineTooLong);
    const AttrLimits count{.max_attributes = 1};
    EXPECT_EQ(parse("a=1\n\n", raw, count).requests.size(), 1u);
    EXPECT_EQ(parse("a=1\nb=2\n\n", raw, count).error, AttrError::TooManyAttributes);
    const AttrLimits size{.max_request_bytes = 6};
    EXPECT_EQ(parse("a=1\r\n\n", raw, size).requests.size(), 1u);  // 6 bytes
    EXPECT_EQ(parse("a=1\r\n\r\n", raw, size).error, AttrError::RequestTooLarge);
    const AttrLimits zero{.max_attributes = 0};
    EXPECT_EQ(parse("\n", raw, zero).requests.size(), 1u);
    EXPECT_EQ(parse("a=1\n\n", raw, zero).error, AttrError::TooManyAttributes);
}

TEST(AttrCodecLimits, HugeInputIsLinear) {
    // 4 MB fed one byte at a time: a parser that rescans its buffer would take
    // hours here.
    const AttrLimits big{.max_line_bytes = 1 << 23, .max_request_bytes = 1 << 23};
    AttrRequestParser parser(AttrEncoding::Escaped, big);
    const std::string value(4 << 20, 'v');
    const std::string frame = "a=" + value + "\n\n";
    for (char c : frame) parser.feed(std::string_view(&c, 1));
    auto out = parser.next();
    ASSERT_TRUE(out);
    EXPECT_EQ(out->find("a")->size(), value.size());

    // Many small pipelined requests in one large chunk.
    std::string many;
    for (int i = 0; i < 100000; ++i) many += "n=" + std::to_string(i) + "\n\n";
    AttrRequestParser pipelined(AttrEncoding::Raw);
    pipelined.feed(many);
    size_t count = 0;
    while (pipelined.next()) ++count;
    EXPECT_EQ(count, 100000u);
}

// ---- serializer ----------------------------------------------------------

TEST(AttrCodecEncode, FramesLinesAndEmptyLine) {
    EXPECT_EQ(encode_attributes({{"action", "DUNNO"}}, AttrEncoding::Raw), "action=DUNNO\n\n");
    EXPECT_EQ(encode_attributes({}, AttrEncoding::Raw), "\n");
    EXPECT_EQ(encode_attributes({{"a", "x=y"}, {"b", ""}}, AttrEncoding::Escaped), "a=x=y\nb=\n\n");
}

TEST(AttrCodecEncode, RawReplacesFrameBreakingBytesWithSpace) {
    const std::string encoded =
        encode_attributes({{"action", "550 5.2.1 x\r\nevil=1\0z"s}}, AttrEncoding::Raw);
    EXPECT_EQ(encoded, "action=550 5.2.1 x  evil=1 z\n\n");
    const auto out = parse(encoded);
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0].attributes.size(), 1u);
}

TEST(AttrCodecEncode, RawKeepsOtherBytes) {
    EXPECT_EQ(encode_attributes({{"a", "%0A\t\xc3\xa9\x7f"}}, AttrEncoding::Raw),
              "a=%0A\t\xc3\xa9\x7f\n\n");
}

TEST(AttrCodecEncode, EscapedUsesUppercaseHex) {
    EXPECT_EQ(
        encode_attributes({{"body", "Hi,\r\n100% away\t\x7f\xc3\xa9"}}, AttrEncoding::Escaped),
        "body=Hi,%0D%0A100%25 away%09%7F\xc3\xa9\n\n");
}

TEST(AttrCodecEncode, RejectsNamesThatCannotBeFramed) {
    for (const std::string& name : {""s, "a=b"s, "a\nb"s, "a\0b"s}) {
        for (auto encoding : {AttrEncoding::Raw, AttrEncoding::Escaped}) {
            EXPECT_THROW(encode_attributes({{name, "v"}}, encoding), std::invalid_argument);
        }
    }
}

TEST(AttrCodecEncode, EscapedRoundTripOfEveryByteValue) {
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
    AttrList attributes = {{"all", all}};
    for (int b = 0; b < 256; ++b) {
        attributes.emplace_back("b" + std::to_string(b), std::string(1, static_cast<char>(b)));
    }
    const std::string encoded = encode_attributes(attributes, AttrEncoding::Escaped);
    // Only the line ends are control bytes on the wire.
    size_t newlines = 0;
    for (char c : encoded) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            ++newlines;
            continue;
        }
        EXPECT_TRUE(u >= 0x20 && u != 0x7F) << int(u);
    }
    EXPECT_EQ(newlines, attributes.size() + 1);

    const auto out = parse(encoded, AttrEncoding::Escaped, {.max_attributes = 300});
    ASSERT_FALSE(out.error);
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0].attributes, attributes);
}

TEST(AttrCodecEncode, RawRoundTripOfSafeBytes) {
    std::string safe;
    for (int b = 1; b < 256; ++b) {
        if (b != '\r' && b != '\n') safe.push_back(static_cast<char>(b));
    }
    const AttrList attributes = {{"v", safe}, {"eq", "=a=b="}};
    const auto out = parse(encode_attributes(attributes, AttrEncoding::Raw));
    ASSERT_EQ(out.requests.size(), 1u);
    EXPECT_EQ(out.requests[0].attributes, attributes);
}

// ---- UTF-8 ---------------------------------------------------------------

TEST(AttrCodecUtf8, AcceptsValidSequences) {
    for (std::string_view s : {
             ""sv, "plain ascii"sv, "\0"sv, "\x7f"sv,
             "M\xc3\xbcller Immobilien"sv,  // ü
             "\xc2\x80"sv,                  // U+0080, smallest 2-byte
             "\xdf\xbf"sv,                  // U+07FF
             "\xe0\xa0\x80"sv,              // U+0800, smallest 3-byte
             "\xe2\x82\xac"sv,              // €
             "\xed\x9f\xbf"sv,              // U+D7FF, below surrogates
             "\xee\x80\x80"sv,              // U+E000, above surrogates
             "\xef\xbf\xbf"sv,              // U+FFFF
             "\xf0\x90\x80\x80"sv,          // U+10000, smallest 4-byte
             "\xf0\x9f\x98\x80"sv,          // emoji
             "\xf4\x8f\xbf\xbf"sv,          // U+10FFFF, the largest
         }) {
        EXPECT_TRUE(is_valid_utf8(s)) << sanitize_for_log(s);
    }
}

TEST(AttrCodecUtf8, RejectsInvalidSequences) {
    for (std::string_view s : {
             "\x80"sv,                      // lone continuation
             "a\xbf"sv,                     // lone continuation after ASCII
             "\xc0\x80"sv,                  // overlong NUL
             "\xc1\xbf"sv,                  // overlong U+007F
             "\xe0\x80\x80"sv,              // overlong 3-byte
             "\xe0\x9f\xbf"sv,              // overlong U+07FF
             "\xf0\x80\x80\x80"sv,          // overlong 4-byte
             "\xf0\x8f\xbf\xbf"sv,          // overlong U+FFFF
             "\xed\xa0\x80"sv,              // U+D800 surrogate
             "\xed\xbf\xbf"sv,              // U+DFFF surrogate
             "\xed\xa0\xbd\xed\xb8\x80"sv,  // CESU-8 surrogate pair
             "\xf4\x90\x80\x80"sv,          // U+110000
             "\xf5\x80\x80\x80"sv,          // lead byte above F4
             "\xff"sv,
             "\xfe"sv,
             "\xc3"sv,                // truncated 2-byte
             "\xe2\x82"sv,            // truncated 3-byte
             "\xf0\x9f\x98"sv,        // truncated 4-byte
             "\xe2\x82x"sv,           // truncated, then ASCII
             "\xc3\xc3\xbc"sv,        // lead byte where continuation expected
             "ok\xe2\x82\xac\xe2"sv,  // valid text, truncated at the end
         }) {
        EXPECT_FALSE(is_valid_utf8(s)) << sanitize_for_log(s);
    }
}

TEST(AttrCodecUtf8, AllTwoByteLeadsAgreeWithRange) {
    for (int lead = 0x80; lead < 0x100; ++lead) {
        const std::string s = {static_cast<char>(lead), '\x80'};
        EXPECT_EQ(is_valid_utf8(s), lead >= 0xC2 && lead <= 0xDF) << lead;
    }
}

// ---- sanitize_for_log ----------------------------------------------------

TEST(AttrCodecSanitize, PlainTextUnchanged) {
    EXPECT_EQ(sanitize_for_log("info@example.de"), "info@example.de");
    EXPECT_EQ(sanitize_for_log("M\xc3\xbcller \xf0\x9f\x98\x80"), "M\xc3\xbcller \xf0\x9f\x98\x80");
    EXPECT_EQ(sanitize_for_log(""), "");
}

TEST(AttrCodecSanitize, EscapesControlsBackslashAndInvalidBytes) {
    EXPECT_EQ(sanitize_for_log("a\nb\r\tc\x7f"), "a\\x0ab\\x0d\\x09c\\x7f");
    EXPECT_EQ(sanitize_for_log("\0"s), "\\x00");
    EXPECT_EQ(sanitize_for_log("a\\x0a"), "a\\\\x0a");  // unambiguous
    EXPECT_EQ(sanitize_for_log("\xff\xc3("), "\\xff\\xc3(");
    EXPECT_EQ(sanitize_for_log("\xe2\x82"
                               "A"),
              "\\xe2\\x82A");
    EXPECT_EQ(sanitize_for_log("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
    EXPECT_EQ(sanitize_for_log("\xc0\x8a"), "\\xc0\\x8a");           // overlong newline
}

TEST(AttrCodecSanitize, EscapesInvisibleCodePoints) {
    EXPECT_EQ(sanitize_for_log("a\xc2\x85"
                               "b"),
              "a\\u{0085}b");  // NEL
    EXPECT_EQ(sanitize_for_log("\xc2\x9b"
                               "31m"),
              "\\u{009b}31m");  // CSI
    EXPECT_EQ(sanitize_for_log("x\xe2\x80\xae"
                               "y"),
              "x\\u{202e}y");  // RLO
    EXPECT_EQ(sanitize_for_log("\xe2\x80\xa8"), "\\u{2028}");
    EXPECT_EQ(sanitize_for_log("\xe2\x81\xa6"), "\\u{2066}");
    EXPECT_EQ(sanitize_for_log("\xc2\xa0"), "\xc2\xa0");  // NBSP is fine
}

TEST(AttrCodecSanitize, TruncatesWithoutCuttingCharactersOrEscapes) {
    const std::string marker = "\xe2\x80\xa6(truncated)";
    EXPECT_EQ(sanitize_for_log("abcd", 4), "abcd");
    EXPECT_EQ(sanitize_for_log("abcde", 4), "abcd" + marker);
    EXPECT_EQ(sanitize_for_log("abc\xc3\xbc", 4), "abc" + marker);  // ü would need 5
    EXPECT_EQ(sanitize_for_log("abc\xc3\xbc", 5), "abc\xc3\xbc");
    EXPECT_EQ(sanitize_for_log("ab\n", 4), "ab" + marker);  // \x0a would need 6
    EXPECT_EQ(sanitize_for_log("ab\n", 6), "ab\\x0a");
    EXPECT_EQ(sanitize_for_log("abc", 0), marker);
    EXPECT_EQ(sanitize_for_log(std::string(1000, 'x')), std::string(256, 'x') + marker);
}

TEST(AttrCodecSanitize, OutputIsAlwaysValidUtf8WithoutControls) {
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
    all += "\xe2\x82\xac\xf0\x9f\x98";
    for (size_t max : {size_t{0}, size_t{1}, size_t{7}, size_t{100}, size_t{10000}}) {
        const std::string out = sanitize_for_log(all, max);
        EXPECT_TRUE(is_valid_utf8(out));
        for (char c : out) {
            const auto u = static_cast<unsigned char>(c);
            EXPECT_TRUE(u >= 0x20 && u != 0x7F) << int(u);
        }
        const std::string marker = "\xe2\x80\xa6(truncated)";
        EXPECT_LE(out.size(), max + marker.size());
    }
}

}  // namespace
}  // namespace boxwarden
