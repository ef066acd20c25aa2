// "Show password" storage: mailbox passwords sealed with AES-256-GCM under a
// 32-byte key file, for the mailbox.password_enc VARBINARY column.
//
// Sealed format (binary, 29 + plaintext bytes):
//   0x01 (version) | 12-byte random nonce | ciphertext | 16-byte GCM tag
// The additional authenticated data is exactly `associated_data` (callers
// pass mailbox.address), so a value copied to another row does not open.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace boxwarden {

inline constexpr std::size_t kSecretKeyBytes = 32;
inline constexpr unsigned char kSealVersion = 0x01;
inline constexpr std::size_t kSealNonceBytes = 12;
inline constexpr std::size_t kSealTagBytes = 16;
inline constexpr std::size_t kSealOverheadBytes = 1 + kSealNonceBytes + kSealTagBytes;

class SecretKeyError : public std::runtime_error {
  public:
    enum class Reason {
        Missing,        // the file does not exist
        Unreadable,     // open/read failed (permissions, I/O error, not a regular file)
        WrongSize,      // not exactly 32 bytes (or not 32 bytes given to from_bytes)
        InsecureMode,   // readable or writable by "other"
        AlreadyExists,  // generate_file: the path exists; never overwritten
        WriteFailed,    // generate_file: create/write/fsync failed
    };
    SecretKeyError(Reason reason, const std::string& message)
        : std::runtime_error(message), reason_(reason) {}
    [[nodiscard]] Reason reason() const noexcept { return reason_; }

  private:
    Reason reason_;
};

class SecretBoxError : public std::runtime_error {
  public:
    enum class Reason {
        Truncated,             // shorter than version + nonce + tag
        UnknownVersion,        // first byte is not 0x01
        AuthenticationFailed,  // wrong key, tampered data, or other associated data
        TooLarge,              // plaintext too large to seal
        CryptoFailure,         // OpenSSL failed unexpectedly
    };
    SecretBoxError(Reason reason, const std::string& message)
        : std::runtime_error(message), reason_(reason) {}
    [[nodiscard]] Reason reason() const noexcept { return reason_; }

  private:
    Reason reason_;
};

// 32 bytes of key material, wiped on destruction. Move-only.
class SecretKey {
  public:
    // Reads a key file of exactly 32 raw bytes. Refuses (InsecureMode) a file
    // whose mode grants any permission to "other"; the message names the
    // mode, e.g. "mode 0644". Throws SecretKeyError.
    static SecretKey load(const std::filesystem::path& path);

    // Creates `path` (O_CREAT|O_EXCL, never overwrites) with mode 0640
    // whatever the umask, writes 32 random bytes, fsyncs, and returns the key.
    // Throws SecretKeyError (AlreadyExists, WriteFailed).
    static SecretKey generate_file(const std::filesystem::path& path);

    // From 32 raw bytes (e.g. a test vector). Throws SecretKeyError(WrongSize).
    static SecretKey from_bytes(std::string_view raw);

    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&& other) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;
    ~SecretKey();

    [[nodiscard]] const unsigned char* data() const noexcept { return bytes_; }

  private:
    SecretKey() = default;
    void wipe() noexcept;
    unsigned char bytes_[kSecretKeyBytes] = {};
};

// AES-256-GCM with a fresh random 96-bit nonce per call; see the format above.
// Throws SecretBoxError (TooLarge above 16 MiB of plaintext, CryptoFailure).
std::string seal(const SecretKey& key, std::string_view plaintext,
                 std::string_view associated_data);

// The plaintext of a sealed value, or SecretBoxError (Truncated,
// UnknownVersion, AuthenticationFailed): never unauthenticated bytes.
std::string unseal(const SecretKey& key, std::string_view sealed, std::string_view associated_data);

}  // namespace boxwarden
