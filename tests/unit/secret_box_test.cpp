#include "boxwarden/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace boxwarden {
namespace {

namespace fs = std::filesystem;

class SecretBoxTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "boxwarden-secret-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        std::error_code ignored;
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(dir_, ignored);
    }

    fs::path write_file(const std::string& name, const std::string& content, mode_t mode) {
        const fs::path path = dir_ / name;
        std::ofstream(path, std::ios::binary) << content;
        EXPECT_EQ(chmod(path.c_str(), mode), 0);
        return path;
    }

    static SecretKeyError::Reason load_error(const fs::path& path, std::string* message = nullptr) {
        try {
            SecretKey::load(path);
        } catch (const SecretKeyError& e) {
            if (message != nullptr) *message = e.what();
            return e.reason();
        }
        ADD_FAILURE() << "load succeeded for " << path;
        return SecretKeyError::Reason::WriteFailed;
    }

    static SecretBoxError::Reason open_error(const SecretKey& key, const std::string& sealed,
                                             const std::string& ad) {
        try {
            const std::string plain = unseal(key, sealed, ad);
            ADD_FAILURE() << "open returned " << plain.size() << " bytes";
        } catch (const SecretBoxError& e) {
            return e.reason();
        }
        return SecretBoxError::Reason::CryptoFailure;
    }

    fs::path dir_;
};

TEST_F(SecretBoxTest, GenerateFileWritesModeAndSizeWhateverTheUmask) {
    for (const mode_t mask : {mode_t{0}, mode_t{077}, mode_t{022}}) {
        const mode_t old = umask(mask);
        const fs::path path = dir_ / ("key" + std::to_string(mask));
        SecretKey::generate_file(path);
        umask(old);
        struct stat st {};
        ASSERT_EQ(stat(path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0640u) << "umask " << mask;
        EXPECT_EQ(st.st_size, 32);
    }
}

TEST_F(SecretBoxTest, GenerateFileNeverOverwrites) {
    const fs::path path = write_file("existing", std::string(32, 'k'), 0600);
    try {
        SecretKey::generate_file(path);
        FAIL() << "overwrote an existing file";
    } catch (const SecretKeyError& e) {
        EXPECT_EQ(e.reason(), SecretKeyError::Reason::AlreadyExists);
    }
    std::ifstream in(path, std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, std::string(32, 'k'));
}

TEST_F(SecretBoxTest, GeneratedKeyLoadsAndOpensWhatItSealed) {
    const fs::path path = dir_ / "key";
    const SecretKey generated = SecretKey::generate_file(path);
    const SecretKey loaded = SecretKey::load(path);
    const std::string sealed = seal(generated, "s3cret Passw\xC3\xB6rd", "info@example.de");
    EXPECT_EQ(unseal(loaded, sealed, "info@example.de"), "s3cret Passw\xC3\xB6rd");
}

TEST_F(SecretBoxTest, TwoGeneratedKeysDiffer) {
    const SecretKey a = SecretKey::generate_file(dir_ / "a");
    const SecretKey b = SecretKey::generate_file(dir_ / "b");
    EXPECT_NE(std::string(reinterpret_cast<const char*>(a.data()), 32),
              std::string(reinterpret_cast<const char*>(b.data()), 32));
}

TEST_F(SecretBoxTest, LoadErrors) {
    EXPECT_EQ(load_error(dir_ / "missing"), SecretKeyError::Reason::Missing);
    EXPECT_EQ(load_error(write_file("short", std::string(31, 'x'), 0600)),
              SecretKeyError::Reason::WrongSize);
    EXPECT_EQ(load_error(write_file("long", std::string(33, 'x'), 0600)),
              SecretKeyError::Reason::WrongSize);
    EXPECT_EQ(load_error(write_file("empty", "", 0600)), SecretKeyError::Reason::WrongSize);
    // 32 bytes followed by a newline, as an editor would leave it.
    EXPECT_EQ(load_error(write_file("newline", std::string(32, 'x') + "\n", 0600)),
              SecretKeyError::Reason::WrongSize);
    EXPECT_EQ(load_error(dir_), SecretKeyError::Reason::Unreadable);
}

TEST_F(SecretBoxTest, LoadRefusesFilesOpenToOthersNamingTheMode) {
    std::string message;
    EXPECT_EQ(load_error(write_file("world", std::string(32, 'x'), 0644), &message),
              SecretKeyError::Reason::InsecureMode);
    EXPECT_NE(message.find("0644"), std::string::npos) << message;
    EXPECT_EQ(load_error(write_file("other-w", std::string(32, 'x'), 0602), &message),
              SecretKeyError::Reason::InsecureMode);
    EXPECT_NE(message.find("0602"), std::string::npos) << message;
    EXPECT_NO_THROW(SecretKey::load(write_file("ok", std::string(32, 'x'), 0640)));
    EXPECT_NO_THROW(SecretKey::load(write_file("ok2", std::string(32, 'x'), 0400)));
}

TEST_F(SecretBoxTest, LoadReportsUnreadableFile) {
    if (geteuid() == 0) GTEST_SKIP() << "root reads mode 0000 files";
    EXPECT_EQ(load_error(write_file("locked", std::string(32, 'x'), 0000)),
              SecretKeyError::Reason::Unreadable);
}

TEST(SecretBox, FromBytesNeedsExactly32) {
    EXPECT_THROW(SecretKey::from_bytes(std::string(31, 'x')), SecretKeyError);
    EXPECT_THROW(SecretKey::from_bytes(std::string(33, 'x')), SecretKeyError);
    EXPECT_NO_THROW(SecretKey::from_bytes(std::string(32, 'x')));
}

TEST(SecretBox, MovedFromKeyIsWiped) {
    SecretKey a = SecretKey::from_bytes(std::string(32, 'k'));
    SecretKey b = std::move(a);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(a.data()), 32), std::string(32, '\0'));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()), 32), std::string(32, 'k'));
}

TEST(SecretBox, MatchesAesGcmTestVector) {
    // McGrew/Viega GCM spec test case 14: zero key, zero IV, one zero block.
    const SecretKey key = SecretKey::from_bytes(std::string(32, '\0'));
    const std::string ciphertext_and_tag =
        "\xce\xa7\x40\x3d\x4d\x60\x6b\x6e\x07\x4e\xc5\xd3\xba\xf3\x9d\x18"
        "\xd0\xd1\xc8\xa7\x99\x99\x6b\xf0\x26\x5b\x98\xb5\xd4\x8a\xb9\x19";
    const std::string sealed = std::string(1, '\x01') + std::string(12, '\0') + ciphertext_and_tag;
    EXPECT_EQ(unseal(key, sealed, ""), std::string(16, '\0'));
}

class SealTest : public SecretBoxTest {
  protected:
    SecretKey key_ = SecretKey::from_bytes("0123456789abcdef0123456789ABCDEF");
    SecretKey other_key_ = SecretKey::from_bytes("0123456789abcdef0123456789ABCDEx");
};

TEST_F(SealTest, FormatAndRoundTrip) {
    for (const std::string& plain :
         {std::string(), std::string("pw"), std::string("a\0b\xff", 4), std::string(1000, 'z')}) {
        const std::string sealed = seal(key_, plain, "info@example.de");
        ASSERT_EQ(sealed.size(), kSealOverheadBytes + plain.size());
        EXPECT_EQ(sealed[0], '\x01');
        if (plain.size() > 4) {
            EXPECT_EQ(sealed.find(plain), std::string::npos);
        }
        EXPECT_EQ(unseal(key_, sealed, "info@example.de"), plain);
    }
}

TEST_F(SealTest, EmptyAssociatedDataWorks) {
    EXPECT_EQ(unseal(key_, seal(key_, "pw", ""), ""), "pw");
    EXPECT_EQ(open_error(key_, seal(key_, "pw", ""), "x"),
              SecretBoxError::Reason::AuthenticationFailed);
}

TEST_F(SealTest, WrongKeyFails) {
    const std::string sealed = seal(key_, "password", "info@example.de");
    EXPECT_EQ(open_error(other_key_, sealed, "info@example.de"),
              SecretBoxError::Reason::AuthenticationFailed);
}

TEST_F(SealTest, MovedRowFails) {
    const std::string sealed = seal(key_, "password", "info@example.de");
    EXPECT_EQ(open_error(key_, sealed, "sales@example.de"),
              SecretBoxError::Reason::AuthenticationFailed);
    EXPECT_EQ(open_error(key_, sealed, "Info@example.de"),
              SecretBoxError::Reason::AuthenticationFailed);
    EXPECT_EQ(open_error(key_, sealed, ""), SecretBoxError::Reason::AuthenticationFailed);
}

TEST_F(SealTest, EveryTamperedBitFails) {
    const std::string sealed = seal(key_, "password", "info@example.de");
    for (size_t i = 0; i < sealed.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string tampered = sealed;
            tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
            const auto expected = i == 0 ? SecretBoxError::Reason::UnknownVersion
                                         : SecretBoxError::Reason::AuthenticationFailed;
            ASSERT_EQ(open_error(key_, tampered, "info@example.de"), expected)
                << "byte " << i << " bit " << bit;
        }
    }
}

TEST_F(SealTest, TruncationAndExtensionFail) {
    const std::string sealed = seal(key_, "password", "info@example.de");
    for (size_t length = 0; length < sealed.size(); ++length) {
        const auto expected = length < kSealOverheadBytes
                                  ? SecretBoxError::Reason::Truncated
                                  : SecretBoxError::Reason::AuthenticationFailed;
        ASSERT_EQ(open_error(key_, sealed.substr(0, length), "info@example.de"), expected)
            << "length " << length;
    }
    EXPECT_EQ(open_error(key_, sealed + "x", "info@example.de"),
              SecretBoxError::Reason::AuthenticationFailed);
}

TEST_F(SealTest, UnknownVersionIsNamed) {
    std::string sealed = seal(key_, "password", "info@example.de");
    sealed[0] = '\x02';
    try {
        unseal(key_, sealed, "info@example.de");
        FAIL();
    } catch (const SecretBoxError& e) {
        EXPECT_EQ(e.reason(), SecretBoxError::Reason::UnknownVersion);
        EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
    }
}

TEST_F(SealTest, NoncesAreUnique) {
    std::set<std::string> nonces;
    std::set<std::string> ciphertexts;
    constexpr int kCount = 20000;
    for (int i = 0; i < kCount; ++i) {
        const std::string sealed = seal(key_, "same password", "info@example.de");
        nonces.insert(sealed.substr(1, kSealNonceBytes));
        ciphertexts.insert(sealed.substr(1 + kSealNonceBytes));
    }
    EXPECT_EQ(nonces.size(), size_t{kCount});
    EXPECT_EQ(ciphertexts.size(), size_t{kCount});
}

}  // namespace
}  // namespace boxwarden
