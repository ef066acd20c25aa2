#include "boxwarden/autoconfig.h"

#include <stdexcept>
#include <string>

#include "boxwarden/mail_header.h"

namespace boxwarden {

namespace {

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& ch : out) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return out;
}

std::string_view mozilla_socket_type(const std::string& security) {
    if (security == "ssl") return "SSL";
    if (security == "starttls") return "STARTTLS";
    return "plain";
}

void append_mozilla_server(std::string& xml, std::string_view element, std::string_view type,
                           const std::string& host, int port, const std::string& security) {
    xml += "    <" + std::string(element) + " type=\"" + std::string(type) + "\">\n";
    xml += "      <hostname>" + xml_escape(host) + "</hostname>\n";
    xml += "      <port>" + std::to_string(port) + "</port>\n";
    xml += "      <socketType>" + std::string(mozilla_socket_type(security)) + "</socketType>\n";
    xml += "      <username>%EMAILADDRESS%</username>\n";
    xml += "      <authentication>password-cleartext</authentication>\n";
    xml += "    </" + std::string(element) + ">\n";
}

void append_outlook_protocol(std::string& xml, std::string_view type, std::string_view login,
                             const std::string& host, int port, const std::string& security) {
    xml += "      <Protocol>\n";
    xml += "        <Type>" + std::string(type) + "</Type>\n";
    xml += "        <Server>" + xml_escape(host) + "</Server>\n";
    xml += "        <Port>" + std::to_string(port) + "</Port>\n";
    xml += "        <DomainRequired>off</DomainRequired>\n";
    xml += "        <LoginName>" + xml_escape(login) + "</LoginName>\n";
    xml += "        <SPA>off</SPA>\n";
    xml += std::string("        <SSL>") + (security == "none" ? "off" : "on") + "</SSL>\n";
    // Encryption, when present, overrides SSL: TLS means STARTTLS.
    if (security == "starttls") xml += "        <Encryption>TLS</Encryption>\n";
    xml += "        <AuthRequired>on</AuthRequired>\n";
    xml += "      </Protocol>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Step step = decode_utf8_at(text, pos);
        const std::string_view raw = text.substr(pos, step.length);
        pos += step.length;
        const char32_t c = step.code_point;
        const bool allowed_in_xml = step.valid &&
                                    (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') &&
                                    c != 0xFFFE && c != 0xFFFF;
        if (!allowed_in_xml) {
            out += "\xEF\xBF\xBD";  // U+FFFD
            continue;
        }
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += raw;
        }
    }
    return out;
}

std::string mozilla_autoconfig_xml(std::string_view domain, const MailClientHosts& hosts,
                                   std::string_view display_name) {
    if (!is_valid_address_syntax("postmaster@" + std::string(domain))) {
        throw std::invalid_argument("not a valid mail domain: \"" + to_valid_utf8(domain) + "\"");
    }
    validate_mail_client_hosts(hosts);
    const std::string name_domain = lower_ascii(domain);
    std::string name = sanitize_display_name(display_name);
    if (name.empty()) name = name_domain;

    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml += "<clientConfig version=\"1.1\">\n";
    xml += "  <emailProvider id=\"" + xml_escape(name_domain) + "\">\n";
    xml += "    <domain>" + xml_escape(name_domain) + "</domain>\n";
    xml += "    <displayName>" + xml_escape(name) + "</displayName>\n";
    xml += "    <displayShortName>" + xml_escape(name) + "</displayShortName>\n";
    append_mozilla_server(xml, "incomingServer", "imap", hosts.imap_host, hosts.imap_port,
                          hosts.imap_security);
    if (!hosts.pop3_host.empty()) {
        append_mozilla_server(xml, "incomingServer", "pop3", hosts.pop3_host, hosts.pop3_port,
                              hosts.pop3_security);
    }
    append_mozilla_server(xml, "outgoingServer", "smtp", hosts.smtp_host, hosts.smtp_port,
                          hosts.smtp_security);
    xml += "  </emailProvider>\n";
    xml += "</clientConfig>\n";
    return xml;
}

std::string outlook_autodiscover_xml(std::string_view email, const MailClientHosts& hosts) {
    if (!is_valid_address_syntax(email)) {
        throw std::invalid_argument("not a valid mail address: \"" + to_valid_utf8(email) + "\"");
    }
    validate_mail_client_hosts(hosts);
    std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    xml +=
        "<Autodiscover "
        "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n";
    xml +=
        "  <Response "
        "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/"
        "2006a\">\n";
    xml += "    <Account>\n";
    xml += "      <AccountType>email</AccountType>\n";
    xml += "      <Action>settings</Action>\n";
    append_outlook_protocol(xml, "IMAP", email, hosts.imap_host, hosts.imap_port,
                            hosts.imap_security);
    if (!hosts.pop3_host.empty()) {
        append_outlook_protocol(xml, "POP3", email, hosts.pop3_host, hosts.pop3_port,
                                hosts.pop3_security);
    }
    append_outlook_protocol(xml, "SMTP", email, hosts.smtp_host, hosts.smtp_port,
                            hosts.smtp_security);
    xml += "    </Account>\n";
    xml += "  </Response>\n";
    xml += "</Autodiscover>\n";
    return xml;
}

}  // namespace boxwarden
