// TOTP (RFC 6238) with its published SHA1 vectors, HOTP (RFC 4226 appendix
// D), base32 (RFC 4648 section 10), skew and replay, the otpauth URI, and
// the recovery codes' form.
#include "boxwarden/totp.h"

#include <gtest/gtest.h>

#include <set>

#include "boxwarden/base32.h"
#include "boxwarden/recovery_code.h"

namespace boxwarden {
namespace {

// RFC 6238 appendix B: the SHA1 seed is the ASCII string "12345678901234567890".
const std::string kRfcSecret = "12345678901234567890";

TEST(Totp, Rfc6238AppendixBSha1VectorsWithEightDigits) {
    const TotpParams eight{8, 30, 1};
    const std::pair<std::int64_t, const char*> vectors[] = {
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
    };
    for (const auto& [time, code] : vectors)
        EXPECT_EQ(totp_code(kRfcSecret, time, eight), code) << time;
}

TEST(Totp, SixDigitsAreTheLastSixOfTheSameValue) {
    // 10^6 divides 10^8: the 6-digit code is the 8-digit one's tail.
    EXPECT_EQ(totp_code(kRfcSecret, 59), "287082");
    EXPECT_EQ(totp_code(kRfcSecret, 1111111109), "081804");
    EXPECT_EQ(totp_code(kRfcSecret, 20000000000), "353130");
}

TEST(Totp, Rfc4226AppendixDHotpVectors) {
    const char* codes[] = {"755224", "287082", "359152", "969429", "338314",
                           "254676", "287922", "162583", "399871", "520489"};
    for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(hotp_code(kRfcSecret, i), codes[i]) << i;
    EXPECT_THROW(hotp_code(kRfcSecret, 0, 5), std::invalid_argument);
    EXPECT_THROW(hotp_code(kRfcSecret, 0, 9), std::invalid_argument);
}

TEST(Totp, StepIsFlooredThirtySeconds) {
    EXPECT_EQ(totp_step(0), 0);
    EXPECT_EQ(totp_step(29), 0);
    EXPECT_EQ(totp_step(30), 1);
    EXPECT_EQ(totp_step(59), 1);
    EXPECT_EQ(totp_step(-1), -1);
    EXPECT_EQ(totp_step(1111111109), 37037036);
}

TEST(Totp, AcceptsTheCurrentStepAndOneStepOfSkewEitherSide) {
    const std::int64_t now = 1234567890;  // step 41152263
    const std::int64_t step = totp_step(now);
    for (int d = -1; d <= 1; ++d) {
        const std::string code = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step + d));
        const TotpVerdict v = verify_totp(kRfcSecret, code, now, std::nullopt);
        EXPECT_EQ(v.outcome, TotpOutcome::Accepted) << d;
        EXPECT_EQ(v.step, step + d);
    }
    for (int d : {-3, -2, 2, 3}) {
        const std::string code = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step + d));
        EXPECT_EQ(verify_totp(kRfcSecret, code, now, std::nullopt).outcome, TotpOutcome::Wrong)
            << d;
    }
}

TEST(Totp, AUsedStepIsRefusedAsReplayAndSoIsAnyEarlierOne) {
    const std::int64_t now = 1234567890;
    const std::int64_t step = totp_step(now);
    const std::string current = totp_code(kRfcSecret, now);
    const TotpVerdict first = verify_totp(kRfcSecret, current, now, std::nullopt);
    ASSERT_EQ(first.outcome, TotpOutcome::Accepted);
    // The same code again (the caller stored first.step) is a replay...
    const TotpVerdict again = verify_totp(kRfcSecret, current, now, first.step);
    EXPECT_EQ(again.outcome, TotpOutcome::Replayed);
    EXPECT_EQ(again.step, step);
    // ... also 30 s later, while it is still within the skew.
    EXPECT_EQ(verify_totp(kRfcSecret, current, now + 30, first.step).outcome,
              TotpOutcome::Replayed);
    // The previous step's code after the current one was used: refused too.
    const std::string previous = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step - 1));
    EXPECT_EQ(verify_totp(kRfcSecret, previous, now, step).outcome, TotpOutcome::Replayed);
    // The next step's code still works.
    const std::string next = hotp_code(kRfcSecret, static_cast<std::uint64_t>(step + 1));
    const TotpVerdict later = verify_totp(kRfcSecret, next, now, step);
    EXPECT_EQ(later.outcome, TotpOutcome::Accepted);
    EXPECT_EQ(later.step, step + 1);
}

TEST(Totp, MalformedCodesAreNotCompared) {
    const std::int64_t now = 59;
    EXPECT_EQ(verify_totp(kRfcSecret, "", now, std::nullopt).outcome, TotpOutcome::Malformed);
    EXPECT_EQ(verify_totp(kRfcSecret, "28708", now, std::nullopt).outcome, TotpOutcome::Malformed);
    EXPECT_EQ(verify_totp(kRfcSecret, "2870822", now, std::nullopt).outcome,
              TotpOutcome::Malformed);
    EXPECT_EQ(verify_totp(kRfcSecret, "28708a", now, std::nullopt).outcome, TotpOutcome::Malformed);
    EXPECT_EQ(verify_totp(kRfcSecret, " 287082", now, std::nullopt).outcome,
              TotpOutcome::Malformed);
    EXPECT_EQ(verify_totp(kRfcSecret, "287082", now, std::nullopt).outcome, TotpOutcome::Accepted);
    EXPECT_EQ(verify_totp("another secret......", "287082", now, std::nullopt).outcome,
              TotpOutcome::Wrong);
}

TEST(Totp, OtpauthUriNamesIssuerAndLoginAndEncodesTheLabel) {
    EXPECT_EQ(totp_otpauth_uri("boxwarden", "anna", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
              "otpauth://totp/boxwarden:anna?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
              "&issuer=boxwarden&algorithm=SHA1&digits=6&period=30");
    EXPECT_EQ(totp_otpauth_uri("boxwarden", "a@b.example", "MZXW6"),
              "otpauth://totp/boxwarden:a%40b.example?secret=MZXW6"
              "&issuer=boxwarden&algorithm=SHA1&digits=6&period=30");
}

TEST(Totp, NewSecretsAreTwentyRandomBytes) {
    const std::string a = new_totp_secret();
    EXPECT_EQ(a.size(), 20u);
    EXPECT_NE(a, new_totp_secret());
    EXPECT_EQ(base32_encode(a, false).size(), 32u);
}

TEST(Base32, Rfc4648Section10Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "MY======"},
        {"fo", "MZXQ===="},
        {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base32_encode(plain), encoded) << plain;
        EXPECT_EQ(base32_decode(encoded).value_or("(refused)"), plain) << encoded;
    }
    EXPECT_EQ(base32_encode("foobar", false), "MZXW6YTBOI");
    EXPECT_EQ(base32_encode(kRfcSecret, false), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Base32, DecodesWithoutPaddingAndInLowerCase) {
    EXPECT_EQ(base32_decode("MZXW6YTBOI").value_or("(refused)"), "foobar");
    EXPECT_EQ(base32_decode("mzxw6ytboi======").value_or("(refused)"), "foobar");
    EXPECT_EQ(base32_decode("MY").value_or("(refused)"), "f");
}

TEST(Base32, RefusesWhatIsNotBase32) {
    EXPECT_FALSE(base32_decode("MZXW6YT1"));          // 1 is not in the alphabet
    EXPECT_FALSE(base32_decode("MZXW 6YTB"));         // no blanks
    EXPECT_FALSE(base32_decode("M"));                 // 5 bits are no byte
    EXPECT_FALSE(base32_decode("MZX"));               // impossible length
    EXPECT_FALSE(base32_decode("MZXW6Y"));            // impossible length
    EXPECT_FALSE(base32_decode("MY==="));             // padding to no multiple of 8
    EXPECT_FALSE(base32_decode("MY======MY======"));  // padding in the middle
    EXPECT_FALSE(base32_decode("========"));          // only padding
    EXPECT_FALSE(base32_decode("MZ"));                // trailing bits set ("f" is MY)
}

TEST(RecoveryCode, NewCodesAreFiveGroupsOfFiveAndDiffer) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const std::string code = new_recovery_code();
        ASSERT_EQ(code.size(), 29u) << code;
        for (size_t p : {5u, 11u, 17u, 23u}) EXPECT_EQ(code[p], '-') << code;
        ASSERT_TRUE(normalize_recovery_code(code)) << code;
        seen.insert(code);
    }
    EXPECT_EQ(seen.size(), 50u);
}

TEST(RecoveryCode, NormalizingIgnoresCaseBlanksAndDashes) {
    const std::string canonical = "ABCDE234567FGHIJKLMNOPQRS";
    EXPECT_EQ(normalize_recovery_code("abcde-23456-7fghi-jklmn-opqrs").value_or(""), canonical);
    EXPECT_EQ(normalize_recovery_code(" ABCDE 23456 7fghi jklmn opqrs ").value_or(""), canonical);
    EXPECT_FALSE(normalize_recovery_code("abcde-23456-7fghi-jklmn-opqr"));    // 24
    EXPECT_FALSE(normalize_recovery_code("abcde-23456-7fghi-jklmn-opqrst"));  // 26
    EXPECT_FALSE(normalize_recovery_code("abcde-23456-7fghi-jklmn-opqr1"));   // 1
    EXPECT_FALSE(normalize_recovery_code("123456"));                          // a TOTP code
    EXPECT_EQ(recovery_code_hash(canonical).size(), 32u);
    EXPECT_NE(recovery_code_hash(canonical), recovery_code_hash("ABCDE234567FGHIJKLMNOPQRT"));
}

}  // namespace
}  // namespace boxwarden
