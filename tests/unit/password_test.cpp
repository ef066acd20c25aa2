#include "boxwarden/password.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace boxwarden {
namespace {

constexpr const char* kDoveadm = "/usr/bin/doveadm";

struct CommandResult {
    int status = -1;
    std::string output;  // stdout and stderr together
};

// Runs a program without a shell, so hashes and passwords need no quoting.
CommandResult run_program(const std::vector<std::string>& args) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    CommandResult result;
    if (rc != 0) {
        close(pipe_fds[0]);
        throw std::runtime_error("cannot start " + args[0]);
    }
    char buffer[4096];
    ssize_t n = 0;
    while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
        result.output.append(buffer, static_cast<size_t>(n));
    }
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

bool doveadm_verifies(const std::string& hash, const std::string& password) {
    const CommandResult r = run_program({kDoveadm, "pw", "-t", hash, "-p", password});
    return r.status == 0 && r.output.find("(verified)") != std::string::npos;
}

std::string doveadm_hash(const std::string& scheme, const std::string& password) {
    CommandResult r = run_program({kDoveadm, "pw", "-s", scheme, "-p", password});
    EXPECT_EQ(r.status, 0) << r.output;
    while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) {
        r.output.pop_back();
    }
    return r.output;
}

// True iff every character of `text` is in `alphabet` and it has `length` characters.
bool only(std::string_view text, std::string_view alphabet, size_t length) {
    return text.size() == length && text.find_first_not_of(alphabet) == std::string_view::npos;
}

std::vector<std::string> split_dollar(const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t end = text.find('$', start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

constexpr std::string_view kBase64NoPad =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kCryptAlphabet =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#define SKIP_WITHOUT_DOVEADM()                                         \
    do {                                                               \
        if (access(kDoveadm, X_OK) != 0) GTEST_SKIP() << "no doveadm"; \
    } while (0)

TEST(PasswordGenerate, DefaultLengthIsTwenty) {
    EXPECT_EQ(generate_password().size(), 20u);
}

TEST(PasswordGenerate, RejectsLengthsOutsideBounds) {
    EXPECT_THROW(generate_password(19), std::invalid_argument);
    EXPECT_THROW(generate_password(0), std::invalid_argument);
    EXPECT_THROW(generate_password(129), std::invalid_argument);
    EXPECT_EQ(generate_password(128).size(), 128u);
    EXPECT_EQ(generate_password(33).size(), 33u);
}

TEST(PasswordGenerate, UsesUnambiguousAlphabetWithEveryClass) {
    const std::string ambiguous = "0Oo1lI";
    std::set<char> seen;
    for (int i = 0; i < 500; ++i) {
        const std::string p = generate_password();
        bool lower = false, upper = false, digit = false, symbol = false;
        for (const char ch : p) {
            seen.insert(ch);
            EXPECT_EQ(ambiguous.find(ch), std::string::npos) << p;
            lower |= ch >= 'a' && ch <= 'z';
            upper |= ch >= 'A' && ch <= 'Z';
            digit |= ch >= '0' && ch <= '9';
            symbol |= std::string("#%+-=?_").find(ch) != std::string::npos;
        }
        ASSERT_TRUE(lower && upper && digit && symbol) << p;
        ASSERT_EQ(check_password_strength(p), PasswordStrength::Ok) << p;
    }
    // 24 + 24 + 8 + 7 symbols: all of them show up in 10000 draws.
    EXPECT_EQ(seen.size(), 63u);
}

TEST(PasswordGenerate, StartsWithALetterOrDigitSoNoToolReadsItAsAnOption) {
    // Without the rule 7 of 63 first characters are symbols: 2000 draws
    // would start with '-', '+', ... about 220 times.
    std::set<char> first;
    for (int i = 0; i < 2000; ++i) {
        const std::string p = generate_password();
        ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(p[0]))) << p;
        ASSERT_EQ(check_password_strength(p), PasswordStrength::Ok) << p;
        first.insert(p[0]);
    }
    // Every letter and digit can still come first.
    EXPECT_EQ(first.size(), 56u);
}

TEST(PasswordGenerate, IsUnique) {
    std::set<std::string> passwords;
    for (int i = 0; i < 2000; ++i) passwords.insert(generate_password());
    EXPECT_EQ(passwords.size(), 2000u);
}

TEST(PasswordHash, Argon2idFormat) {
    const std::string hash = hash_password("correct horse battery", PasswordScheme::Argon2id);
    const auto parts = split_dollar(hash);
    ASSERT_EQ(parts.size(), 6u) << hash;
    EXPECT_EQ(parts[0], "{ARGON2ID}");
    EXPECT_EQ(parts[1], "argon2id");
    EXPECT_EQ(parts[2], "v=19");
    EXPECT_EQ(parts[3], "m=65536,t=3,p=1");
    EXPECT_TRUE(only(parts[4], kBase64NoPad, 22)) << hash;  // 16-byte salt
    EXPECT_TRUE(only(parts[5], kBase64NoPad, 43)) << hash;  // 32-byte hash
}

TEST(PasswordHash, Sha512CryptFormat) {
    const std::string hash = hash_password("correct horse battery", PasswordScheme::Sha512Crypt);
    const auto parts = split_dollar(hash);
    ASSERT_EQ(parts.size(), 4u) << hash;
    EXPECT_EQ(parts[0], "{SHA512-CRYPT}");
    EXPECT_EQ(parts[1], "6");
    EXPECT_TRUE(only(parts[2], kCryptAlphabet, 16)) << hash;
    EXPECT_TRUE(only(parts[3], kCryptAlphabet, 86)) << hash;
}

TEST(PasswordHash, SaltsDiffer) {
    for (const auto scheme : {PasswordScheme::Argon2id, PasswordScheme::Sha512Crypt}) {
        EXPECT_NE(hash_password("same password", scheme), hash_password("same password", scheme));
    }
}

TEST(PasswordHash, RefusesNul) {
    EXPECT_THROW(hash_password(std::string("ab\0cd", 5), PasswordScheme::Sha512Crypt),
                 std::invalid_argument);
}

TEST(PasswordVerify, RoundTripBothSchemes) {
    const std::string password =
        "Gr\xC3\xBC\xC3\x9F"
        "e aus K\xC3\xB6ln #42";
    for (const auto scheme : {PasswordScheme::Argon2id, PasswordScheme::Sha512Crypt}) {
        const std::string hash = hash_password(password, scheme);
        EXPECT_TRUE(verify_password(password, hash)) << hash;
        EXPECT_FALSE(verify_password(password + "x", hash));
        EXPECT_FALSE(verify_password("", hash));
        EXPECT_FALSE(verify_password(password.substr(0, password.size() - 1), hash));
    }
}

TEST(PasswordVerify, SchemePrefixIsCaseInsensitive) {
    const std::string hash = hash_password("pw", PasswordScheme::Sha512Crypt);
    std::string lower = hash;
    lower.replace(0, 14, "{sha512-crypt}");
    EXPECT_TRUE(verify_password("pw", lower));
}

TEST(PasswordVerify, UnknownOrMalformedSchemesAreFalse) {
    EXPECT_FALSE(verify_password("secret", "{PLAIN}secret"));
    EXPECT_FALSE(verify_password("secret", "secret"));
    EXPECT_FALSE(verify_password("secret", ""));
    EXPECT_FALSE(verify_password("secret", "{ARGON2ID}"));
    EXPECT_FALSE(verify_password("secret", "{ARGON2ID}$argon2i$v=19$m=65536,t=3,p=1$x$y"));
    EXPECT_FALSE(verify_password("secret", "{SHA512-CRYPT}"));
    EXPECT_FALSE(verify_password("secret", "{SHA512-CRYPT}$5$abc$def"));
    EXPECT_FALSE(verify_password("secret", "{SHA512-CRYPT}$6$"));
    // A SHA512-CRYPT value under the Argon2 prefix and vice versa.
    const std::string crypt_hash = hash_password("secret", PasswordScheme::Sha512Crypt);
    EXPECT_FALSE(verify_password("secret", "{ARGON2ID}" + crypt_hash.substr(14)));
    const std::string argon_hash = hash_password("secret", PasswordScheme::Argon2id);
    EXPECT_FALSE(verify_password("secret", "{SHA512-CRYPT}" + argon_hash.substr(10)));
}

TEST(PasswordVerify, NulInPasswordNeverMatches) {
    const std::string hash = hash_password("ab", PasswordScheme::Sha512Crypt);
    EXPECT_FALSE(verify_password(std::string("ab\0cd", 5), hash));
}

TEST(PasswordDoveadm, DovecotVerifiesOurArgon2id) {
    SKIP_WITHOUT_DOVEADM();
    const std::string password = generate_password();
    const std::string hash = hash_password(password, PasswordScheme::Argon2id);
    EXPECT_TRUE(doveadm_verifies(hash, password)) << hash;
    EXPECT_FALSE(doveadm_verifies(hash, password + "x"));
}

TEST(PasswordDoveadm, DovecotVerifiesOurSha512Crypt) {
    SKIP_WITHOUT_DOVEADM();
    const std::string password = "K\xC3\xB6nig-Passwort 2024!";
    const std::string hash = hash_password(password, PasswordScheme::Sha512Crypt);
    EXPECT_TRUE(doveadm_verifies(hash, password)) << hash;
    EXPECT_FALSE(doveadm_verifies(hash, "K\xC3\xB6nig-Passwort 2025!"));
}

TEST(PasswordDoveadm, WeVerifyDovecotHashes) {
    SKIP_WITHOUT_DOVEADM();
    const std::string password = "Sp\xC3\xA4ter; \"quoted\" \\ $dollar";
    for (const std::string scheme : {"ARGON2ID", "SHA512-CRYPT"}) {
        const std::string hash = doveadm_hash(scheme, password);
        ASSERT_EQ(hash.rfind("{" + scheme + "}", 0), 0u) << hash;
        EXPECT_TRUE(verify_password(password, hash)) << hash;
        EXPECT_FALSE(verify_password("wrong", hash)) << hash;
    }
}

TEST(PasswordStrengthRule, Verdicts) {
    EXPECT_EQ(check_password_strength("abcdefGH1234"), PasswordStrength::Ok);
    EXPECT_EQ(check_password_strength("abcdef gh1234"), PasswordStrength::Ok);  // space = other
    EXPECT_EQ(check_password_strength("\xC3\xA4\xC3\xB6\xC3\xBC\xC3\x9F"
                                      "abcdef1234"),
              PasswordStrength::Ok);
    EXPECT_EQ(check_password_strength("abcdefghijkl"), PasswordStrength::TooFewCharacterClasses);
    EXPECT_EQ(check_password_strength("abcdefgh1234"), PasswordStrength::TooFewCharacterClasses);
    EXPECT_EQ(check_password_strength("aB1#aB1#aB1"), PasswordStrength::TooShort);  // 11
    EXPECT_EQ(check_password_strength(""), PasswordStrength::TooShort);
    // 12 characters but 24 bytes: characters count, not bytes.
    EXPECT_EQ(check_password_strength("\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4"
                                      "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4"
                                      "aB"),
              PasswordStrength::Ok);
    EXPECT_EQ(check_password_strength(std::string(128, 'a')),
              PasswordStrength::TooFewCharacterClasses);
    EXPECT_EQ(check_password_strength("aB1" + std::string(125, 'x')), PasswordStrength::Ok);
    EXPECT_EQ(check_password_strength("aB1" + std::string(126, 'x')), PasswordStrength::TooLong);
    EXPECT_EQ(check_password_strength("abcdefGH1234\n"), PasswordStrength::ControlCharacter);
    EXPECT_EQ(check_password_strength("abcdef\tGH1234"), PasswordStrength::ControlCharacter);
    EXPECT_EQ(check_password_strength(std::string("abcdefGH1234\0", 13)),
              PasswordStrength::ControlCharacter);
    EXPECT_EQ(check_password_strength("abcdefGH1234\x7F"), PasswordStrength::ControlCharacter);
    EXPECT_EQ(check_password_strength("abcdefGH1234\xC2\x85"), PasswordStrength::ControlCharacter);
    EXPECT_EQ(check_password_strength("abcdefGH1234\xC3"), PasswordStrength::InvalidUtf8);
    EXPECT_EQ(check_password_strength("abcdefGH1234\xC0\xAF"), PasswordStrength::InvalidUtf8);
    EXPECT_EQ(check_password_strength("abcdefGH1234\xED\xA0\x80"), PasswordStrength::InvalidUtf8);
    EXPECT_EQ(check_password_strength("abcdefGH1234\xF4\x90\x80\x80"),
              PasswordStrength::InvalidUtf8);
}

TEST(PasswordStrengthRule, MessagesAreSpecific) {
    EXPECT_NE(password_strength_message(PasswordStrength::TooShort).find("12"), std::string::npos);
    EXPECT_NE(password_strength_message(PasswordStrength::TooLong).find("128"), std::string::npos);
    EXPECT_NE(password_strength_message(PasswordStrength::TooFewCharacterClasses).find("3 of 4"),
              std::string::npos);
}

}  // namespace
}  // namespace boxwarden
