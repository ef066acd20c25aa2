// mailbox send-access-data and autoconfig: the mail-client settings of the
// installation (imap_*, pop3_*, smtp_* keys) as a mail or as autoconfig XML.
#include "boxwarden/access_data.h"
#include "boxwarden/address.h"
#include "boxwarden/autoconfig.h"
#include "boxwarden/mail_header.h"
#include "commands.h"
#include "context.h"
#include "process.h"
#include "stored_password.h"

namespace boxwarden::cli {

namespace {

MailClientHosts hosts_from_config(const Config& c) {
    MailClientHosts h;
    h.imap_host = c.get_string("imap_host");
    h.imap_port = static_cast<int>(c.get_int("imap_port"));
    h.imap_security = c.get_string("imap_security");
    h.pop3_host = c.get_string("pop3_host");
    h.pop3_port = static_cast<int>(c.get_int("pop3_port"));
    h.pop3_security = c.get_string("pop3_security");
    h.smtp_host = c.get_string("smtp_host");
    h.smtp_port = static_cast<int>(c.get_int("smtp_port"));
    h.smtp_security = c.get_string("smtp_security");
    try {
        validate_mail_client_hosts(h);
    } catch (const AccessDataError& e) {
        throw ConfigError(c.origin() + ": mail client settings: " + e.what());
    }
    return h;
}

std::string header_value(const std::string& message, const std::string& name) {
    const std::string key = "\n" + name + ": ";
    const size_t at = ("\n" + message).find(key);
    if (at == std::string::npos) return {};
    const size_t start = at + key.size() - 1;
    return message.substr(start, message.find('\n', start) - start);
}

// sysexits: these mean "try again later" for a sendmail program.
bool temporary_exit(int code) {
    return code == 75 /* EX_TEMPFAIL */ || code == 69 /* EX_UNAVAILABLE */ ||
           code == 71 /* EX_OSERR */;
}

int send_access_data(Context& ctx, const ParsedArgs& a) {
    std::string language = a.get("lang").value_or(ctx.config().get_string("access_data_language"));
    if (language != "de" && language != "en") {
        if (!a.get("lang"))  // the configured default, not an option: a configuration error
            throw ConfigError(ctx.config().origin() +
                              ": key 'access_data_language': expected de or en, got '" + language +
                              "'");
        throw UsageError("--lang must be de or en, got '" + language + "'");
    }
    const std::string recipient = normalize_address(a.get("to").value_or(""));
    if (!a.get("to")) throw UsageError("'mailbox send-access-data' needs --to RECIPIENT");
    if (!is_valid_address_syntax(recipient))
        throw Refusal("recipient '" + *a.get("to") +
                      "' refused: not a valid mail address (local-part@domain, RFC 5321 "
                      "dot-atom, ASCII)");
    const MailClientHosts hosts = hosts_from_config(ctx.config());

    auto rows = ctx.db().query(
        "SELECT address, email_name, HEX(password_enc) AS enc FROM mailbox "
        "WHERE address = LOWER(TRIM(?))",
        {a.arg(0)});
    if (rows.empty()) throw Refusal("mailbox '" + a.arg(0) + "' does not exist");
    const std::string address = rows[0].str("address");

    AccessDataRequest req;
    req.mailbox_address = address;
    req.email_name = rows[0].opt_str("email_name").value_or("");
    req.recipient_address = recipient;
    req.language = language;
    req.hosts = hosts;
    if (a.has("with-password")) {
        if (rows[0].is_null("enc"))
            throw Refusal("mailbox '" + address +
                          "' has no stored password to send (set one with 'password generate')");
        req.password = open_stored_password(ctx, address, rows[0].str("enc"));
    }
    std::string message;
    try {
        message = compose_access_data_message(req);
    } catch (const AccessDataError& e) {
        throw Refusal(std::string("access-data mail refused: ") + e.what());
    }
    const std::string sendmail = ctx.config().get_string("sendmail_path");
    // -i: a lone "." line is text; -f: the envelope sender is the mailbox.
    const ProcessResult run =
        run_process({sendmail, "-i", "-f", address, "--", recipient}, message, 120);
    if (!run.ok()) {
        const bool temporary = run.started && run.signal == 0 && temporary_exit(run.exit_code);
        throw ToolError(sendmail + " did not accept the mail (" + describe_status(run) +
                            "): " + run.err.substr(0, 500),
                        temporary);
    }
    Json out = Json::object();
    out.set("mailbox", address)
        .set("to", recipient)
        .set("language", language)
        .set("with_password", req.password.has_value())
        .set("message_id", header_value(message, "Message-ID"))
        .set("action", "sent");
    ctx.done(out, "access data for " + address + " sent to " + recipient +
                      (req.password ? " (with password)" : " (without password)"));
    return kExitOk;
}

int autoconfig(Context& ctx, const ParsedArgs& a) {
    const std::string format = a.get("format").value_or("mozilla");
    if (format != "mozilla" && format != "autodiscover")
        throw UsageError("--format must be mozilla or autodiscover, got '" + format + "'");
    const MailClientHosts hosts = hosts_from_config(ctx.config());
    auto rows = ctx.db().query("SELECT name FROM domain WHERE name = LOWER(TRIM(?))", {a.arg(0)});
    if (rows.empty()) throw Refusal("domain '" + a.arg(0) + "' does not exist");
    const std::string domain = rows[0].str("name");
    std::string xml;
    if (format == "mozilla") {
        xml = mozilla_autoconfig_xml(domain, hosts, "");
    } else {
        const auto email = a.get("email");
        if (!email)
            throw UsageError("--format autodiscover needs --email ADDRESS (the user's address)");
        const std::string addr = normalize_address(*email);
        const auto at = addr.rfind('@');
        if (!is_valid_address_syntax(addr) || addr.substr(at + 1) != domain)
            throw Refusal("address '" + *email + "' refused: not a valid address in domain '" +
                          domain + "'");
        xml = outlook_autodiscover_xml(addr, hosts);
    }
    if (ctx.json())
        ctx.print(Json::object().set("domain", domain).set("format", format).set("xml", xml));
    else
        ctx.print(Json(xml));
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
    out.push_back({"autoconfig",
                   {{"DOMAIN"}},
                   {{"format", "mozilla|autodiscover", "output format (default mozilla)"},
                    {"email", "ADDRESS", "the user's address (required for autodiscover)"}},
                   "print mail-client auto-setup XML for a hosted domain",
                   "mozilla: Thunderbird config-v1.1.xml, served at "
                   "https://autoconfig.DOMAIN/mail/config-v1.1.xml. autodiscover: the Outlook "
                   "POX Autodiscover response for the address given with --email.",
                   autoconfig});
}

}  // namespace boxwarden::cli
