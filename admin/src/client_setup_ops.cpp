// Client set-up documents: the domain and address checks, then core's pure
// generators (boxwarden/autoconfig.h) with the configured hosts.
#include "boxwarden/address.h"
#include "boxwarden/admin_client_setup.h"
#include "boxwarden/autoconfig.h"

namespace boxwarden::admin {

std::optional<ClientSetupFormat> parse_client_setup_format(std::string_view name) {
    if (name == "mozilla") return ClientSetupFormat::Mozilla;
    if (name == "autodiscover") return ClientSetupFormat::Autodiscover;
    if (name == "mobileconfig") return ClientSetupFormat::Mobileconfig;
    return std::nullopt;
}

const char* client_setup_format_name(ClientSetupFormat format) {
    switch (format) {
        case ClientSetupFormat::Mozilla:
            return "mozilla";
        case ClientSetupFormat::Autodiscover:
            return "autodiscover";
        case ClientSetupFormat::Mobileconfig:
            return "mobileconfig";
    }
    return "mozilla";
}

ClientSetupDocument client_setup_document(db::Connection& db, const Config& config,
                                          ClientSetupFormat format, const std::string& domain_in,
                                          const std::string& email_in) {
    const MailClientHosts hosts = hosts_from_config(config);
    auto rows = db.query("SELECT name FROM domain WHERE name = LOWER(TRIM(?))", {domain_in});
    if (rows.empty()) throw Refusal("domain '" + domain_in + "' does not exist");
    ClientSetupDocument doc;
    doc.domain = rows[0].str("name");
    if (client_setup_needs_email(format)) {
        const std::string addr = normalize_address(email_in);
        const auto at = addr.rfind('@');
        if (!is_valid_address_syntax(addr) || at == std::string::npos ||
            addr.substr(at + 1) != doc.domain)
            throw Refusal("address '" + email_in + "' refused: not a valid address in domain '" +
                          doc.domain + "'");
        doc.email = addr;
    }
    switch (format) {
        case ClientSetupFormat::Mozilla:
            doc.body = mozilla_autoconfig_xml(doc.domain, hosts, "");
            doc.content_type = "text/xml; charset=utf-8";
            doc.file_name = "autoconfig.xml";
            break;
        case ClientSetupFormat::Autodiscover:
            doc.body = outlook_autodiscover_xml(doc.email, hosts);
            doc.content_type = "text/xml; charset=utf-8";
            doc.file_name = "autodiscover.xml";
            break;
        case ClientSetupFormat::Mobileconfig: {
            std::string name;
            auto m = db.query("SELECT email_name FROM mailbox WHERE address = ?", {doc.email});
            if (!m.empty()) name = m[0].opt_str("email_name").value_or("");
            doc.body = apple_mobileconfig(doc.email, name, hosts);
            doc.content_type = "application/x-apple-aspen-config";
            doc.file_name = "boxwarden.mobileconfig";
            break;
        }
    }
    return doc;
}

}  // namespace boxwarden::admin
