#include "boxwarden/binary_text.h"

#include <sodium.h>

#include <stdexcept>

namespace boxwarden {

namespace {

void ensure_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::string to_hex(std::string_view bytes) {
    ensure_sodium();
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes_of(bytes), bytes.size());
    out.pop_back();  // the terminating NUL
    return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
    ensure_sodium();
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out(hex.size() / 2, '\0');
    std::size_t written = 0;
    // No hex_end pointer: any character that is not a hex digit is an error.
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                       hex.size(), nullptr, &written, nullptr) != 0 ||
        written != out.size()) {
        return std::nullopt;
    }
    return out;
}

std::optional<unsigned char> decode_hex_pair(char high, char low) {
    const char pair[2] = {high, low};
    unsigned char out = 0;
    std::size_t written = 0;
    if (sodium_hex2bin(&out, 1, pair, 2, nullptr, &written, nullptr) != 0 || written != 1) {
        return std::nullopt;
    }
    return out;
}

std::string to_base64(std::string_view bytes) {
    ensure_sodium();
    const int variant = sodium_base64_VARIANT_ORIGINAL;
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), variant);
    out.pop_back();  // the terminating NUL
    return out;
}

std::optional<std::string> from_base64(std::string_view text) {
    ensure_sodium();
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t written = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &written, &end,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        end != text.data() + text.size()) {
        return std::nullopt;
    }
    out.resize(written);
    return out;
}

}  // namespace boxwarden
