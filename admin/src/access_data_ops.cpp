// "Send access data": the mail-client settings of the installation (imap_*,
// pop3_*, smtp_* keys) mailed from the mailbox, through sendmail_path.
#include "boxwarden/access_data.h"
#include "boxwarden/address.h"
#include "boxwarden/admin.h"
#include "boxwarden/admin_process.h"

namespace boxwarden::admin {

namespace {

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

}  // namespace

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

AccessDataSent send_access_data(Env& env, const AccessDataOrder& order) {
    const std::string recipient = normalize_address(order.recipient);
    if (!is_valid_address_syntax(recipient))
        throw Refusal("recipient '" + order.recipient +
                      "' refused: not a valid mail address (local-part@domain, RFC 5321 "
                      "dot-atom, ASCII)");
    const MailClientHosts hosts = hosts_from_config(env.config);

    auto rows = env.db.query(
        "SELECT address, email_name, HEX(password_enc) AS enc FROM mailbox "
        "WHERE address = LOWER(TRIM(?))",
        {order.address});
    if (rows.empty()) throw Refusal("mailbox '" + order.address + "' does not exist");
    const std::string address = rows[0].str("address");

    AccessDataRequest req;
    req.mailbox_address = address;
    req.email_name = rows[0].opt_str("email_name").value_or("");
    req.recipient_address = recipient;
    req.language = order.language;
    req.hosts = hosts;
    if (order.with_password) {
        if (rows[0].is_null("enc"))
            throw Refusal("mailbox '" + address +
                          "' has no stored password to send (set one with 'password generate')");
        req.password = open_stored_password(env.config, address, rows[0].str("enc"));
    }
    std::string message;
    try {
        message = compose_access_data_message(req);
    } catch (const AccessDataError& e) {
        throw Refusal(std::string("access-data mail refused: ") + e.what());
    }
    const std::string sendmail = env.config.get_string("sendmail_path");
    // -i: a lone "." line is text; -f: the envelope sender is the mailbox.
    const ProcessResult run =
        run_process({sendmail, "-i", "-f", address, "--", recipient}, message, 120);
    if (!run.ok()) {
        const bool temporary = run.started && run.signal == 0 && temporary_exit(run.exit_code);
        throw ToolError(sendmail + " did not accept the mail (" + describe_status(run) +
                            "): " + run.err.substr(0, 500),
                        temporary);
    }
    AccessDataSent sent;
    sent.address = address;
    sent.recipient = recipient;
    sent.language = order.language;
    sent.with_password = req.password.has_value();
    sent.message_id = header_value(message, "Message-ID");
    return sent;
}

}  // namespace boxwarden::admin
