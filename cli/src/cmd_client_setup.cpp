// mailbox send-access-data and autoconfig: the mail-client settings of the
// installation (imap_*, pop3_*, smtp_* keys) as a mail or as autoconfig XML.
#include "boxwarden/access_data.h"
#include "boxwarden/admin_client_setup.h"
#include "commands.h"
#include "context.h"

namespace boxwarden::cli {

namespace {

int send_access_data(Context& ctx, const ParsedArgs& a) {
    std::string language = a.get("lang").value_or(ctx.config().get_string("access_data_language"));
    if (language != "de" && language != "en") {
        if (!a.get("lang"))  // the configured default, not an option: a configuration error
            throw ConfigError(ctx.config().origin() +
                              ": key 'access_data_language': expected de or en, got '" + language +
                              "'");
        throw UsageError("--lang must be de or en, got '" + language + "'");
    }
    if (!a.get("to")) throw UsageError("'mailbox send-access-data' needs --to RECIPIENT");
    admin::AccessDataOrder order;
    order.address = a.arg(0);
    order.recipient = *a.get("to");
    order.language = language;
    order.with_password = a.has("with-password");
    admin::Env env = ctx.env();
    const admin::AccessDataSent sent = admin::send_access_data(env, order);
    Json out = Json::object();
    out.set("mailbox", sent.address)
        .set("to", sent.recipient)
        .set("language", sent.language)
        .set("with_password", sent.with_password)
        .set("message_id", sent.message_id)
        .set("action", "sent");
    ctx.done(out, "access data for " + sent.address + " sent to " + sent.recipient +
                      (sent.with_password ? " (with password)" : " (without password)"));
    return kExitOk;
}

int autoconfig(Context& ctx, const ParsedArgs& a) {
    const std::string format_name = a.get("format").value_or("mozilla");
    const auto format = admin::parse_client_setup_format(format_name);
    if (!format)
        throw UsageError("--format must be mozilla, autodiscover or mobileconfig, got '" +
                         format_name + "'");
    const auto email = a.get("email");
    if (admin::client_setup_needs_email(*format) && !email)
        throw UsageError(std::string("--format ")
                             .append(format_name)
                             .append(" needs --email ADDRESS (the user's address)"));
    // The same document the web page offers for download.
    const admin::ClientSetupDocument doc =
        admin::client_setup_document(ctx.db(), ctx.config(), *format, a.arg(0), email.value_or(""));
    if (ctx.json())
        ctx.print(Json::object()
                      .set("domain", doc.domain)
                      .set("format", format_name)
                      .set("xml", doc.body));
    else
        ctx.print(Json(doc.body));
    return kExitOk;
}

}  // namespace

void add_client_setup_commands(std::vector<CommandSpec>& out) {
    out.push_back(
        {"mailbox send-access-data",
         {{"ADDRESS"}},
         {{"to", "RECIPIENT", "where to send the mail", true},
          {"with-password", "", "include the current password (decrypted with secret_key_file)"},
          {"lang", "de|en", "language of the text (default: access_data_language)"}},
         "mail the settings for setting the mailbox up in a mail client",
         "User name (the full address), IMAP, POP3 and SMTP host names, ports and TLS modes "
         "come from the configuration file. The mail is From the mailbox (with its email "
         "name) and is handed to sendmail_path as: sendmail -i -f ADDRESS -- RECIPIENT.",
         send_access_data});
    out.push_back(
        {"autoconfig",
         {{"DOMAIN"}},
         {{"format", "mozilla|autodiscover|mobileconfig", "output format (default mozilla)"},
          {"email", "ADDRESS", "the user's address (required for autodiscover and mobileconfig)"}},
         "print mail-client auto-setup XML for a hosted domain",
         "mozilla: Thunderbird config-v1.1.xml, served at "
         "https://autoconfig.DOMAIN/mail/config-v1.1.xml. autodiscover: the Outlook "
         "POX Autodiscover response for the address given with --email. "
         "mobileconfig: an unsigned Apple configuration profile (IMAP + SMTP, no "
         "password) for the address given with --email.",
         autoconfig});
}

}  // namespace boxwarden::cli
