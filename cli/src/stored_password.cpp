#include "stored_password.h"

#include "boxwarden/secret_box.h"
#include "context.h"

namespace boxwarden::cli {

std::string to_hex(const std::string& bytes) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string from_hex(const std::string& hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return 0;
    };
    std::string out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    return out;
}

std::string open_stored_password(Context& ctx, const std::string& address,
                                 const std::string& hex_sealed) {
    const SecretKey key = ctx.load_secret_key();
    try {
        return unseal(key, from_hex(hex_sealed), address);
    } catch (const SecretBoxError& e) {
        throw ToolError("the stored password of '" + address +
                        "' cannot be decrypted: " + e.what() +
                        " (wrong secret_key_file, or the value was copied from another row)");
    }
}

}  // namespace boxwarden::cli
