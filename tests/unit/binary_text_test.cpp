// Hex and base64 through libsodium (core/mail binary_text.h).
#include "boxwarden/binary_text.h"

#include <gtest/gtest.h>

#include <string>

namespace boxwarden {
namespace {

TEST(BinaryText, HexRoundTripAndRefusals) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    EXPECT_EQ(to_hex("\x01\xab"), "01ab");
    EXPECT_EQ(from_hex(to_hex(all)), all);
    EXPECT_EQ(from_hex("C3bc"), "\xC3\xBC");
    EXPECT_EQ(from_hex("1"), std::nullopt);
    EXPECT_EQ(from_hex("g0"), std::nullopt);
    EXPECT_EQ(from_hex("00:"), std::nullopt);
    EXPECT_EQ(decode_hex_pair('4', 'a'), 0x4a);
    EXPECT_EQ(decode_hex_pair('4', 'G'), std::nullopt);
    EXPECT_EQ(decode_hex_pair(' ', '1'), std::nullopt);
}

TEST(BinaryText, Base64RoundTripAndRefusals) {
    EXPECT_EQ(to_base64(""), "");
    EXPECT_EQ(to_base64("M\xc3\xbc"), "TcO8");
    EXPECT_EQ(to_base64("ab"), "YWI=");
    EXPECT_EQ(from_base64("YWI="), "ab");
    EXPECT_EQ(from_base64("YWI"), "ab");  // padding optional
    EXPECT_EQ(from_base64("YWI=x"), std::nullopt);
    EXPECT_EQ(from_base64("Y"), std::nullopt);  // impossible length
    EXPECT_EQ(from_base64("YW I="), std::nullopt);
    EXPECT_EQ(from_base64("YW-I"), std::nullopt);
    EXPECT_EQ(from_base64("QQ=="), "A");
    EXPECT_EQ(from_base64("QR=="), std::nullopt);  // trailing bits set (RFC 4648 3.5)
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    EXPECT_EQ(from_base64(to_base64(all)), all);
}

}  // namespace
}  // namespace boxwarden
