// admin totp enable / disable / recovery: the second factor of a web page
// admin (docs/cli.md, docs/web.md). The secret and the recovery codes are
// printed once and stored only sealed (secret) or hashed (codes).
#include "boxwarden/admin_totp.h"
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

Json code_list(const std::vector<std::string>& codes) {
    Json list = Json::array();
    for (const auto& c : codes) list.push(c);
    return list;
}

std::string code_lines(const std::vector<std::string>& codes) {
    std::string text;
    for (const auto& c : codes) {
        text += "\n  ";
        text += c;
    }
    return text;
}

int totp_enable(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::TotpEnrolment e = admin::enable_web_admin_totp(env, a.arg(0));
    std::string text = "TOTP enabled for web admin ";
    text += e.secret.login;
    text += " (its sessions ended)\nsecret: ";
    text += e.secret.secret_base32;
    text += "\notpauth URI: ";
    text += e.secret.otpauth_uri;
    text += "\nrecovery codes (each works once; shown only now):";
    text += code_lines(e.recovery_codes);
    ctx.done(Json::object()
                 .set("login", e.secret.login)
                 .set("secret", e.secret.secret_base32)
                 .set("otpauth_uri", e.secret.otpauth_uri)
                 .set("recovery_codes", code_list(e.recovery_codes))
                 .set("action", "totp enabled"),
             text);
    return kExitOk;
}

int totp_disable(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const std::string login = admin::disable_web_admin_totp(env, a.arg(0));
    ctx.done(Json::object().set("login", login).set("action", "totp disabled"),
             "TOTP disabled for web admin " + login + " (its sessions ended)");
    return kExitOk;
}

int totp_recovery(Context& ctx, const ParsedArgs& a) {
    admin::Env env = ctx.env();
    const admin::RecoveryCodes r = admin::renew_web_admin_recovery_codes(env, a.arg(0));
    std::string text = "new recovery codes for web admin ";
    text += r.login;
    text += " (the old ones no longer work; each works once; shown only now):";
    text += code_lines(r.codes);
    ctx.done(Json::object()
                 .set("login", r.login)
                 .set("recovery_codes", code_list(r.codes))
                 .set("action", "recovery codes renewed"),
             text);
    return kExitOk;
}

}  // namespace

void add_web_admin_totp_commands(std::vector<CommandSpec>& out) {
    out.push_back({"admin totp enable",
                   {{"LOGIN"}},
                   {},
                   "turn on the TOTP second factor of a web admin; prints the secret, the "
                   "otpauth:// URI and 10 recovery codes once",
                   "The secret is stored sealed with secret_key_file, the recovery codes only as "
                   "SHA-256. Refused when TOTP is already enabled. The admin's sessions end.",
                   totp_enable});
    out.push_back({"admin totp disable",
                   {{"LOGIN"}},
                   {},
                   "turn off a web admin's second factor (its recovery codes stop working)",
                   "",
                   totp_disable});
    out.push_back({"admin totp recovery",
                   {{"LOGIN"}},
                   {},
                   "10 new recovery codes for a web admin with TOTP; the old ones stop working",
                   "",
                   totp_recovery});
}

}  // namespace boxwarden::cli
