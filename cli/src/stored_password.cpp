#include "stored_password.h"

#include <stdexcept>
#include <utility>

#include "boxwarden/binary_text.h"
#include "boxwarden/secret_box.h"
#include "context.h"

namespace boxwarden::cli {

std::string to_hex(const std::string& bytes) {
    std::string hex = boxwarden::to_hex(bytes);
    // Upper case, as MySQL's HEX() writes it.
    for (char& c : hex) {
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    }
    return hex;
}

std::string from_hex(const std::string& hex) {
    auto bytes = boxwarden::from_hex(hex);
    if (!bytes) throw std::invalid_argument("not a hex string (odd length or a non-hex digit)");
    return std::move(*bytes);
}

std::string open_stored_password(Context& ctx, const std::string& address,
                                 const std::string& hex_sealed) {
    const SecretKey key = ctx.load_secret_key();
    const auto sealed = boxwarden::from_hex(hex_sealed);
    if (!sealed) {
        throw ToolError("the stored password of '" + address +
                        "' is not valid hex; the row was not written by boxwardenctl");
    }
    try {
        return unseal(key, *sealed, address);
    } catch (const SecretBoxError& e) {
        throw ToolError("the stored password of '" + address +
                        "' cannot be decrypted: " + e.what() +
                        " (wrong secret_key_file, or the value was copied from another row)");
    }
}

}  // namespace boxwarden::cli
