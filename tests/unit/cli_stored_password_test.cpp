// The hex transport of mailbox.password_enc (cli/src/stored_password.h):
// every byte value survives, as the sealed format is binary.
#include <gtest/gtest.h>

#include <stdexcept>

#include "stored_password.h"

namespace boxwarden::cli {
namespace {

TEST(CliStoredPassword, HexRoundTripsEveryByte) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    const std::string hex = to_hex(all);
    EXPECT_EQ(hex.size(), 512u);
    EXPECT_EQ(hex.substr(0, 6), "000102");
    EXPECT_EQ(hex.substr(508), "FEFF");
    EXPECT_EQ(from_hex(hex), all);
    EXPECT_EQ(from_hex("c3bc"), "\xC3\xBC");  // lowercase, as MySQL may send it
}

TEST(CliStoredPassword, BadHexIsRefusedNotTurnedIntoZeroBytes) {
    // The hand-written decoder this replaced read "zz" as a 0 byte and
    // dropped an odd last digit.
    EXPECT_THROW(from_hex("zz"), std::invalid_argument);
    EXPECT_THROW(from_hex("c3b"), std::invalid_argument);
    EXPECT_THROW(from_hex("c3 bc"), std::invalid_argument);
    EXPECT_THROW(from_hex("0x41"), std::invalid_argument);
    EXPECT_EQ(from_hex(""), "");
}

}  // namespace
}  // namespace boxwarden::cli
