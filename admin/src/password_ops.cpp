// Mailbox passwords: the hash (for Dovecot) and the sealed copy (for "show
// password", the address as associated data) are written in one UPDATE;
// after the commit Dovecot's auth cache is flushed and the mailbox's
// sessions kicked, so the old password stops working at once.
#include <stdexcept>
#include <utility>

#include "boxwarden/admin.h"
#include "boxwarden/binary_text.h"
#include "boxwarden/secret_box.h"

namespace boxwarden::admin {

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

std::string open_stored_password(const Config& config, const std::string& address,
                                 const std::string& hex_sealed) {
    const SecretKey key = load_secret_key(config);
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

ShownPassword show_password(Env& env, const std::string& address) {
    auto rows = env.db.query(
        "SELECT address, HEX(password_enc) AS enc FROM mailbox WHERE address = LOWER(TRIM(?))",
        {address});
    if (rows.empty()) throw Refusal("mailbox '" + address + "' does not exist");
    ShownPassword shown;
    shown.address = rows[0].str("address");
    if (rows[0].is_null("enc"))
        throw Refusal("mailbox '" + shown.address +
                      "' has no stored password to show (set one with 'password generate')");
    shown.password = open_stored_password(env.config, shown.address, rows[0].str("enc"));
    return shown;
}

StoredPassword store_password(Env& env, const std::string& address, const std::string& password) {
    const SecretKey key = load_secret_key(env.config);  // before any write: no half-done change
    StoredPassword stored;
    stored.scheme = configured_scheme(env.config);
    const std::string hash = hash_password(password, stored.scheme);
    MailboxRef m;
    run_transaction(env.db, [&] {
        m = lock_mailbox(env.db, address);
        // The stored address is the associated data: a copy moved to another
        // row does not open.
        const std::string sealed = seal(key, password, m.address);
        env.db.execute("UPDATE mailbox SET password_hash = ?, password_enc = UNHEX(?) WHERE id = ?",
                       {hash, to_hex(sealed), m.id});
    });
    stored.address = m.address;
    stored.notice = notify_dovecot(env, {m.address}, m.address);
    return stored;
}

}  // namespace boxwarden::admin
