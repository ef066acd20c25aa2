// password show / generate / set for mailboxes. The hash (for Dovecot) and
// the sealed copy (for "show password") are written in one UPDATE; after the
// commit Dovecot's auth cache is flushed and the mailbox's sessions kicked,
// so the old password stops working at once.
#include "boxwarden/password.h"
#include "boxwarden/secret_box.h"
#include "commands.h"
#include "context.h"
#include "notify.h"
#include "password_input.h"

namespace boxwarden::cli {

namespace {

// Stores `password` for the mailbox and tells Dovecot. Returns the exit code.
int store_password(Context& ctx, const std::string& address, const std::string& password,
                   bool print_password) {
    admin::Env env = ctx.env();
    const admin::StoredPassword stored = admin::store_password(env, address, password);
    Json out = Json::object();
    out.set("mailbox", stored.address);
    if (print_password) out.set("password", password);
    out.set("scheme", admin::scheme_name(stored.scheme))
        .set("dovecot", dovecot_report(stored.notice));
    if (ctx.json())
        ctx.print(out);
    else if (print_password)
        ctx.done(out, "new password for " + stored.address + ": " + password);
    else
        ctx.done(out, "password set for " + stored.address);
    return stored.notice.failed ? kExitError : kExitOk;
}

int password_show(Context& ctx, const ParsedArgs& a) {
    if (!a.has("force") && !ctx.stdout_is_terminal())
        throw UsageError(
            "stdout is not a terminal: add --force to print the password to a pipe or file");
    admin::Env env = ctx.env();
    const admin::ShownPassword shown = admin::show_password(env, a.arg(0));
    ctx.print(Json::object().set("mailbox", shown.address).set("password", shown.password));
    return kExitOk;
}

int password_generate(Context& ctx, const ParsedArgs& a) {
    size_t length = kMinGeneratedPasswordLength;
    if (auto l = a.get("length")) {
        try {
            size_t used = 0;
            length = std::stoul(*l, &used);
            if (used != l->size()) throw std::invalid_argument(*l);
        } catch (const std::exception&) {
            throw UsageError("--length must be a number, got '" + *l + "'");
        }
        if (length < kMinGeneratedPasswordLength || length > kMaxGeneratedPasswordLength)
            throw UsageError("--length must be " + std::to_string(kMinGeneratedPasswordLength) +
                             " to " + std::to_string(kMaxGeneratedPasswordLength));
    }
    return store_password(ctx, a.arg(0), generate_password(length), true);
}

int password_set(Context& ctx, const ParsedArgs& a) {
    return store_password(ctx, a.arg(0), read_new_password(ctx), false);
}

}  // namespace

void add_password_commands(std::vector<CommandSpec>& out) {
    out.push_back({"password show",
                   {{"ADDRESS"}},
                   {{"force", "", "print even when stdout is not a terminal"}},
                   "show the mailbox's current password (decrypted with secret_key_file)",
                   "The password is printed only to a terminal unless --force is given, so it "
                   "does not end up in a log or a pipe by accident.",
                   password_show});
    out.push_back(
        {"password generate",
         {{"ADDRESS"}},
         {{"length", "N", "password length (20-128, default 20)"}},
         "set a fresh random password, print it once, and lock out the old one",
         "Stores the Dovecot hash and the encrypted copy in one transaction, then runs "
         "'doveadm auth cache flush ADDRESS' and 'doveadm kick ADDRESS' (doveadm_path, "
         "doveadm_config). When Dovecot is not on this host this is skipped with a warning.",
         password_generate});
    out.push_back(
        {"password set",
         {{"ADDRESS"}},
         {},
         "set the mailbox password from stdin (strength rule applies)",
         "Reads the password from stdin (without one trailing line end; on a terminal it is "
         "asked for twice without echo). Then flushes and kicks like 'password generate'.",
         password_set});
}

}  // namespace boxwarden::cli
