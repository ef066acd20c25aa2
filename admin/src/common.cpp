// Transactions, row locks, text checks, key and scheme from the configuration.
#include "boxwarden/admin.h"
#include "boxwarden/retry.h"
#include "boxwarden/secret_box.h"
#include "boxwarden/utf8.h"

namespace boxwarden::admin {

void run_transaction(db::Connection& c, const std::function<void()>& f) {
    // A deadlock or a Galera certification conflict rolls the whole
    // transaction back; core's one retry helper runs it again (bounded, with
    // jittered backoff). A rule refusal is passed on at once.
    db::run_transaction(c, [&](db::Connection&) { f(); });
}

MailboxRef lock_mailbox(db::Connection& c, const std::string& address) {
    auto rows = c.query("SELECT id, address FROM mailbox WHERE address = LOWER(TRIM(?)) FOR UPDATE",
                        {address});
    if (rows.empty()) throw Refusal("mailbox '" + address + "' does not exist");
    return {rows[0].i64("id"), rows[0].str("address")};
}

std::int64_t lock_user(db::Connection& c, const std::string& login) {
    auto rows =
        c.query("SELECT id FROM user_account WHERE login = LOWER(TRIM(?)) FOR UPDATE", {login});
    if (rows.empty()) throw Refusal("user '" + login + "' does not exist");
    return rows[0].i64("id");
}

void require_utf8(const std::string& text, const std::string& what) {
    size_t pos = 0;
    while (pos < text.size()) {
        const Utf8Step step = decode_utf8_at(text, pos);
        if (!step.valid)
            throw Refusal(what + " is not valid UTF-8 (at byte " + std::to_string(pos) + ")");
        pos += step.length;
    }
}

void require_display_text(const std::string& text, const std::string& what, size_t max_chars) {
    require_utf8(text, what);
    size_t pos = 0, chars = 0;
    while (pos < text.size()) {
        const Utf8Step step = decode_utf8_at(text, pos);
        const char32_t c = step.code_point;
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
            throw Refusal(what +
                          " refused: it contains a control character (U+0000-U+001F, "
                          "U+007F-U+009F, U+2028 or U+2029; line breaks and tabs included)");
        pos += step.length;
        ++chars;
    }
    if (chars > max_chars)
        throw Refusal(what + " is too long (at most " + std::to_string(max_chars) +
                      " characters, got " + std::to_string(chars) + ")");
}

SecretKey load_secret_key(const Config& config) {
    try {
        return SecretKey::load(config.get_string("secret_key_file"));
    } catch (const SecretKeyError& e) {
        throw ToolError(std::string("secret key: ") + e.what());
    }
}

PasswordScheme configured_scheme(const Config& config) {
    const std::string s = config.get_string("password_scheme");
    if (s == "ARGON2ID") return PasswordScheme::Argon2id;
    if (s == "SHA512-CRYPT") return PasswordScheme::Sha512Crypt;
    throw ConfigError(config.origin() +
                      ": password_scheme must be ARGON2ID or SHA512-CRYPT, got '" + s + "'");
}

const char* scheme_name(PasswordScheme s) {
    return s == PasswordScheme::Argon2id ? "ARGON2ID" : "SHA512-CRYPT";
}

}  // namespace boxwarden::admin
