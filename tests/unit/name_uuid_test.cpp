#include "boxwarden/name_uuid.h"

#include <gtest/gtest.h>

#include <string>

namespace boxwarden {
namespace {

std::string hex(const std::array<std::uint8_t, 20>& d) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (auto b : d) {
        out += kHex[b >> 4];
        out += kHex[b & 0x0F];
    }
    return out;
}

// FIPS 180-4 / RFC 3174 test vectors, and the padding edges (55, 56, 64 bytes).
TEST(Sha1, KnownVectors) {
    EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    EXPECT_EQ(hex(sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    EXPECT_EQ(hex(sha1(std::string(55, 'x'))), "cef734ba81a024479e09eb5a75b6ddae62e6abf1");
    EXPECT_EQ(hex(sha1(std::string(64, 'x'))), "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163");
}

// The values Python's uuid.uuid5 gives (RFC 9562 appendix namespaces).
TEST(NameUuid, MatchesRfcVersion5) {
    const Uuid dns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    EXPECT_EQ(uuid_text(uuid_v5(dns, "python.org")), "886313E1-3B8A-5372-9B90-0C9AEE199E5D");
    EXPECT_EQ(uuid_text(uuid_v5(kUuidNamespaceUrl, "http://python.org/")),
              "4C565F0D-3F5A-5890-B41B-20CF47701C5E");
    EXPECT_EQ(uuid_text(kUuidNamespaceUrl), "6BA7B811-9DAD-11D1-80B4-00C04FD430C8");
}

}  // namespace
}  // namespace boxwarden
