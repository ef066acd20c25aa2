#include "boxwarden/secret_box.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

namespace boxwarden {

namespace {

constexpr std::size_t kMaxPlaintextBytes = 16u * 1024u * 1024u;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
    CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) throw SecretBoxError(SecretBoxError::Reason::CryptoFailure, "out of memory");
    return ctx;
}

[[noreturn]] void crypto_failure(const char* step) {
    throw SecretBoxError(SecretBoxError::Reason::CryptoFailure,
                         std::string("AES-256-GCM failed at ") + step);
}

const unsigned char* bytes(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::string mode_string(mode_t mode) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
    return buffer;
}

class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

}  // namespace

SecretKey::SecretKey(SecretKey&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, kSecretKeyBytes);
    other.wipe();
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
    if (this != &other) {
        std::memcpy(bytes_, other.bytes_, kSecretKeyBytes);
        other.wipe();
    }
    return *this;
}

SecretKey::~SecretKey() {
    wipe();
}

void SecretKey::wipe() noexcept {
    OPENSSL_cleanse(bytes_, kSecretKeyBytes);
}

SecretKey SecretKey::from_bytes(std::string_view raw) {
    if (raw.size() != kSecretKeyBytes) {
        throw SecretKeyError(
            SecretKeyError::Reason::WrongSize,
            "secret key must be exactly 32 bytes, got " + std::to_string(raw.size()));
    }
    SecretKey key;
    std::memcpy(key.bytes_, raw.data(), kSecretKeyBytes);
    return key;
}

SecretKey SecretKey::load(const std::filesystem::path& path) {
    const std::string name = path.string();
    FileDescriptor fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == ENOENT) {
            throw SecretKeyError(SecretKeyError::Reason::Missing,
                                 "secret key file " + name + " does not exist");
        }
        throw SecretKeyError(SecretKeyError::Reason::Unreadable,
                             "cannot open secret key file " + name + ": " + std::strerror(error));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throw SecretKeyError(SecretKeyError::Reason::Unreadable,
                             "cannot stat secret key file " + name + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        throw SecretKeyError(SecretKeyError::Reason::Unreadable,
                             "secret key file " + name + " is not a regular file");
    }
    if ((st.st_mode & S_IRWXO) != 0) {
        throw SecretKeyError(SecretKeyError::Reason::InsecureMode,
                             "secret key file " + name + " has mode " + mode_string(st.st_mode) +
                                 ", which gives access to other users; chmod o= it (e.g. 0640)");
    }
    if (st.st_size != static_cast<off_t>(kSecretKeyBytes)) {
        throw SecretKeyError(SecretKeyError::Reason::WrongSize,
                             "secret key file " + name + " must hold exactly 32 raw bytes, has " +
                                 std::to_string(st.st_size));
    }
    SecretKey key;
    std::size_t done = 0;
    // One byte more than needed detects a file that grew since fstat.
    unsigned char extra = 0;
    while (done < kSecretKeyBytes) {
        const ssize_t n = ::read(fd.get(), key.bytes_ + done, kSecretKeyBytes - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            throw SecretKeyError(
                SecretKeyError::Reason::Unreadable,
                "cannot read secret key file " + name + ": " + std::strerror(errno));
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    if (done != kSecretKeyBytes || ::read(fd.get(), &extra, 1) != 0) {
        throw SecretKeyError(SecretKeyError::Reason::WrongSize,
                             "secret key file " + name + " must hold exactly 32 raw bytes");
    }
    return key;
}

SecretKey SecretKey::generate_file(const std::filesystem::path& path) {
    if (sodium_init() < 0) {
        throw SecretKeyError(SecretKeyError::Reason::WriteFailed,
                             "libsodium initialisation failed");
    }
    const std::string name = path.string();
    FileDescriptor fd(
        ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == EEXIST) {
            throw SecretKeyError(SecretKeyError::Reason::AlreadyExists,
                                 "secret key file " + name + " already exists; not overwriting it");
        }
        throw SecretKeyError(SecretKeyError::Reason::WriteFailed,
                             "cannot create secret key file " + name + ": " + std::strerror(error));
    }
    SecretKey key;
    randombytes_buf(key.bytes_, kSecretKeyBytes);
    const auto fail = [&](const char* what) {
        const int error = errno;
        ::close(fd.release());
        ::unlink(name.c_str());
        throw SecretKeyError(SecretKeyError::Reason::WriteFailed, std::string("cannot ") + what +
                                                                      " secret key file " + name +
                                                                      ": " + std::strerror(error));
    };
    // The umask may have narrowed the mode; set it exactly.
    if (::fchmod(fd.get(), 0640) != 0) fail("chmod");
    std::size_t done = 0;
    while (done < kSecretKeyBytes) {
        const ssize_t n = ::write(fd.get(), key.bytes_ + done, kSecretKeyBytes - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write");
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail("fsync");
    if (::close(fd.release()) != 0) {
        const int error = errno;
        ::unlink(name.c_str());
        throw SecretKeyError(SecretKeyError::Reason::WriteFailed,
                             "cannot close secret key file " + name + ": " + std::strerror(error));
    }
    return key;
}

std::string seal(const SecretKey& key, std::string_view plaintext,
                 std::string_view associated_data) {
    if (plaintext.size() > kMaxPlaintextBytes || associated_data.size() > kMaxPlaintextBytes) {
        throw SecretBoxError(SecretBoxError::Reason::TooLarge, "value too large to seal");
    }
    if (sodium_init() < 0) crypto_failure("random initialisation");
    std::string out(kSealOverheadBytes + plaintext.size(), '\0');
    auto* header = reinterpret_cast<unsigned char*>(out.data());
    header[0] = kSealVersion;
    unsigned char* nonce = header + 1;
    unsigned char* ciphertext = nonce + kSealNonceBytes;
    unsigned char* tag = ciphertext + plaintext.size();
    randombytes_buf(nonce, kSealNonceBytes);

    CipherContext ctx = new_context();
    int length = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(kSealNonceBytes), nullptr) !=
            1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce) != 1) {
        crypto_failure("init");
    }
    if (!associated_data.empty() &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(associated_data),
                          int(associated_data.size())) != 1) {
        crypto_failure("associated data");
    }
    if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), ciphertext, &length, bytes(plaintext),
                                                int(plaintext.size())) != 1) {
        crypto_failure("encrypt");
    }
    if (EVP_EncryptFinal_ex(ctx.get(), ciphertext + plaintext.size(), &length) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(kSealTagBytes), tag) != 1) {
        crypto_failure("final");
    }
    return out;
}

std::string unseal(const SecretKey& key, std::string_view sealed,
                   std::string_view associated_data) {
    if (sealed.size() < kSealOverheadBytes) {
        throw SecretBoxError(SecretBoxError::Reason::Truncated,
                             "sealed value is truncated: " + std::to_string(sealed.size()) +
                                 " bytes, at least 29 expected");
    }
    if (static_cast<unsigned char>(sealed[0]) != kSealVersion) {
        throw SecretBoxError(SecretBoxError::Reason::UnknownVersion,
                             "sealed value has unknown format version " +
                                 std::to_string(static_cast<unsigned char>(sealed[0])));
    }
    if (sealed.size() - kSealOverheadBytes > kMaxPlaintextBytes ||
        associated_data.size() > kMaxPlaintextBytes) {
        throw SecretBoxError(SecretBoxError::Reason::TooLarge, "sealed value too large");
    }
    const unsigned char* nonce = bytes(sealed) + 1;
    const unsigned char* ciphertext = nonce + kSealNonceBytes;
    const std::size_t ciphertext_size = sealed.size() - kSealOverheadBytes;
    // EVP_CTRL_GCM_SET_TAG takes a non-const pointer.
    unsigned char tag[kSealTagBytes];
    std::memcpy(tag, ciphertext + ciphertext_size, kSealTagBytes);

    std::string plaintext(ciphertext_size, '\0');
    auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
    CipherContext ctx = new_context();
    int length = 0;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(kSealNonceBytes), nullptr) !=
            1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce) != 1) {
        crypto_failure("init");
    }
    bool ok = true;
    if (!associated_data.empty()) {
        ok = EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(associated_data),
                               int(associated_data.size())) == 1;
    }
    if (ok && ciphertext_size > 0) {
        ok = EVP_DecryptUpdate(ctx.get(), out, &length, ciphertext, int(ciphertext_size)) == 1;
    }
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(kSealTagBytes), tag) == 1;
    ok = ok && EVP_DecryptFinal_ex(ctx.get(), out + ciphertext_size, &length) == 1;
    if (!ok) {
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        throw SecretBoxError(SecretBoxError::Reason::AuthenticationFailed,
                             "sealed value does not authenticate: wrong key, tampered data, or a "
                             "value that belongs to another mailbox (associated data mismatch)");
    }
    return plaintext;
}

}  // namespace boxwarden
