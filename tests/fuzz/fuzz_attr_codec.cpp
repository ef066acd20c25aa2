// libFuzzer target for the attribute codec (core/generic/src/attr_codec.cpp).
// Properties checked on every input, in both encodings and two sets of limits:
//  - feeding the input in chunks of any size gives the same outcome as one feed,
//    also when requests are taken (next_view) between chunks;
//  - the in-place parser returns the same requests, error and mid_request as
//    the byte-by-byte parser it replaced (tests/unit/reference_attr_parser.h);
//  - every parsed request survives encode_attributes + parse unchanged (Raw:
//    with the documented CR/LF/NUL -> space replacement);
//  - sanitize_for_log always yields bounded, valid UTF-8 without control bytes.
// Input layout: two bytes seeding the chunk sizes, then the stream (the files
// in corpus/ follow it).
#include "boxwarden/attr_codec.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../unit/reference_attr_parser.h"

namespace {

using boxwarden::AttrEncoding;
using boxwarden::AttrLimits;
using boxwarden::AttrRequest;
using boxwarden::AttrRequestParser;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

struct Outcome {
    std::vector<AttrRequest> requests;
    std::optional<boxwarden::AttrError> error;
    bool mid_request = false;
    bool operator==(const Outcome&) const = default;
};

Outcome drain(AttrRequestParser& parser) {
    Outcome out;
    while (auto request = parser.next()) out.requests.push_back(std::move(*request));
    out.error = parser.error();
    out.mid_request = parser.mid_request();
    return out;
}

Outcome parse_reference(std::string_view input, AttrEncoding encoding, AttrLimits limits) {
    boxwarden::reference::ByteParser parser(encoding, limits);
    parser.feed(input);
    Outcome out;
    while (auto request = parser.next()) out.requests.push_back(std::move(*request));
    out.error = parser.error();
    out.mid_request = parser.mid_request();
    return out;
}

// Chunk sizes come from a small PRNG seeded by the input, so the fuzzer can
// steer the split points; some chunks are followed by taking the requests
// ready so far (views, copied at once), which makes the parser compact its
// buffer between feeds.
Outcome parse_chunked(std::string_view input, AttrEncoding encoding, AttrLimits limits,
                      uint32_t seed) {
    AttrRequestParser parser(encoding, limits);
    Outcome taken;
    uint32_t state = seed | 1;
    while (!input.empty()) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        // Mostly tiny chunks, sometimes empty ones, sometimes large ones.
        size_t size = (state >> 8) % 8 == 0 ? (state >> 12) % 512 : (state >> 12) % 9;
        if (size > input.size()) size = input.size();
        parser.feed(input.substr(0, size));
        input.remove_prefix(size);
        if ((state >> 4) % 3 == 0) {
            while (auto view = parser.next_view()) taken.requests.push_back(view->to_owned());
        }
    }
    Outcome rest = drain(parser);
    rest.requests.insert(rest.requests.begin(), taken.requests.begin(), taken.requests.end());
    return rest;
}

void check_round_trip(const AttrRequest& request, AttrEncoding encoding) {
    const std::string wire = boxwarden::encode_attributes(request.attributes, encoding);
    size_t newlines = 0;
    for (char c : wire) {
        if (c == '\n') ++newlines;
        CHECK(c != '\0');
    }
    CHECK(newlines == request.attributes.size() + 1);
    if (encoding == AttrEncoding::Escaped) {
        // Names travel verbatim; an escaped value has no control byte at all.
        for (const auto& attribute : request.attributes) {
            const std::string line =
                boxwarden::encode_attributes({{"n", attribute.second}}, encoding);
            for (size_t i = 0; i + 2 < line.size(); ++i) {
                const auto u = static_cast<unsigned char>(line[i]);
                CHECK(u >= 0x20 && u != 0x7F);
            }
        }
    }

    AttrRequest expected = request;
    if (encoding == AttrEncoding::Raw) {
        for (auto& attribute : expected.attributes) {
            for (char& c : attribute.second) {
                if (c == '\r' || c == '\n' || c == '\0') c = ' ';
            }
        }
    }
    const AttrLimits unlimited{
        .max_line_bytes = SIZE_MAX, .max_attributes = SIZE_MAX, .max_request_bytes = SIZE_MAX};
    AttrRequestParser parser(encoding, unlimited);
    parser.feed(wire);
    const Outcome out = drain(parser);
    CHECK(!out.error);
    CHECK(!out.mid_request);
    CHECK(out.requests.size() == 1);
    CHECK(out.requests[0] == expected);
}

void check_sanitize(std::string_view value) {
    constexpr std::string_view kMarker = "…(truncated)";
    for (size_t max : {size_t{0}, size_t{5}, size_t{256}}) {
        const std::string out = boxwarden::sanitize_for_log(value, max);
        CHECK(out.size() <= max + kMarker.size());
        CHECK(boxwarden::is_valid_utf8(out));
        for (char c : out) {
            const auto u = static_cast<unsigned char>(c);
            CHECK(u >= 0x20 && u != 0x7F);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const uint32_t seed = data[0] | (uint32_t{data[1]} << 8);
    const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

    const AttrLimits tight{.max_line_bytes = 16, .max_attributes = 4, .max_request_bytes = 64};
    for (AttrEncoding encoding : {AttrEncoding::Raw, AttrEncoding::Escaped}) {
        for (AttrLimits limits : {AttrLimits{}, tight}) {
            AttrRequestParser once(encoding, limits);
            once.feed(input);
            const Outcome whole = drain(once);
            CHECK(parse_chunked(input, encoding, limits, seed) == whole);
            CHECK(parse_reference(input, encoding, limits) == whole);
            for (const AttrRequest& request : whole.requests) {
                check_round_trip(request, encoding);
                for (const auto& [name, value] : request.attributes) {
                    check_sanitize(name);
                    check_sanitize(value);
                    (void)request.find(name);
                }
            }
        }
    }
    check_sanitize(input);
    return 0;
}
