// The Apple configuration profile of one mailbox (keys as in Apple's Device
// Management reference: TopLevel, CommonPayloadKeys, com.apple.mail.managed).
#include <stdexcept>
#include <string>

#include "boxwarden/address.h"
#include "boxwarden/autoconfig.h"
#include "boxwarden/header_encoding.h"
#include "boxwarden/name_uuid.h"
#include "boxwarden/utf8.h"

namespace boxwarden {

namespace {

// One "<key>K</key> <value>" pair of a dict, at the dict's indentation.
class PlistDict {
  public:
    explicit PlistDict(std::string indent) : indent_(std::move(indent)) {}
    void string(std::string_view key, std::string_view value) {
        key_line(key);
        out_ += indent_ + "<string>" + xml_escape(value) + "</string>\n";
    }
    void integer(std::string_view key, long value) {
        key_line(key);
        out_ += indent_ + "<integer>" + std::to_string(value) + "</integer>\n";
    }
    void boolean(std::string_view key, bool value) {
        key_line(key);
        out_ += indent_ + (value ? "<true/>\n" : "<false/>\n");
    }
    void raw(std::string_view key, const std::string& value_lines) {
        key_line(key);
        out_ += value_lines;
    }
    const std::string& text() const { return out_; }

  private:
    void key_line(std::string_view key) {
        out_ += indent_ + "<key>" + xml_escape(key) + "</key>\n";
    }
    std::string indent_;
    std::string out_;
};

std::string lowercase_ascii(std::string_view text) {
    std::string out(text);
    for (char& ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
}

// "info@mail.example.de" -> "de.example.mail" (the labels are LDH).
std::string reversed_domain(const std::string& address) {
    const std::string domain = address.substr(address.rfind('@') + 1);
    std::string out;
    size_t end = domain.size();
    while (true) {
        const size_t dot = domain.rfind('.', end == 0 ? 0 : end - 1);
        const size_t start = dot == std::string::npos ? 0 : dot + 1;
        if (!out.empty()) out += '.';
        out.append(domain, start, end - start);
        if (dot == std::string::npos) break;
        end = dot;
    }
    return out;
}

std::string lowercase_uuid(const Uuid& u) {
    return lowercase_ascii(uuid_text(u));
}

}  // namespace

std::string apple_mobileconfig(std::string_view email_in, std::string_view email_name,
                               const MailClientHosts& hosts) {
    if (!is_valid_address_syntax(email_in)) {
        throw std::invalid_argument(std::string("not a valid mail address: \"")
                                        .append(to_valid_utf8(email_in))
                                        .append("\""));
    }
    validate_mail_client_hosts(hosts);
    const std::string email = lowercase_ascii(email_in);
    const std::string name = sanitize_display_name(email_name);
    // Stable per address: re-installing replaces the profile and its payload.
    // (append, not "literal" + string: g++ 12 -O3 -Wrestrict false positive)
    const Uuid profile_uuid = uuid_v5(
        kUuidNamespaceUrl, std::string("urn:boxwarden:mobileconfig:profile:").append(email));
    const Uuid mail_uuid =
        uuid_v5(kUuidNamespaceUrl, std::string("urn:boxwarden:mobileconfig:mail:").append(email));
    std::string profile_id = reversed_domain(email);
    profile_id.append(".boxwarden.mail.");
    profile_id.append(lowercase_uuid(profile_uuid));

    PlistDict mail("      ");
    mail.string("EmailAccountDescription", email);
    if (!name.empty()) mail.string("EmailAccountName", name);
    mail.string("EmailAccountType", "EmailTypeIMAP");
    mail.string("EmailAddress", email);
    mail.string("IncomingMailServerAuthentication", "EmailAuthPassword");
    mail.string("IncomingMailServerHostName", hosts.imap_host);
    mail.integer("IncomingMailServerPortNumber", hosts.imap_port);
    mail.boolean("IncomingMailServerUseSSL", hosts.imap_security != "none");
    mail.string("IncomingMailServerUsername", email);
    mail.string("OutgoingMailServerAuthentication", "EmailAuthPassword");
    mail.string("OutgoingMailServerHostName", hosts.smtp_host);
    mail.integer("OutgoingMailServerPortNumber", hosts.smtp_port);
    mail.boolean("OutgoingMailServerUseSSL", hosts.smtp_security != "none");
    mail.string("OutgoingMailServerUsername", email);
    mail.boolean("OutgoingPasswordSameAsIncomingPassword", true);
    mail.string("PayloadDisplayName", email + " (IMAP, SMTP)");
    mail.string("PayloadIdentifier", profile_id + ".account");
    mail.string("PayloadType", "com.apple.mail.managed");
    mail.string("PayloadUUID", uuid_text(mail_uuid));
    mail.integer("PayloadVersion", 1);

    PlistDict top("  ");
    std::string content = "  <array>\n    <dict>\n";
    content += mail.text();
    content += "    </dict>\n  </array>\n";
    top.raw("PayloadContent", content);
    top.string("PayloadDescription",
               std::string("Mail account ")
                   .append(email)
                   .append(" (IMAP and SMTP). The password is not in this profile: enter it "
                           "when installing."));
    top.string("PayloadDisplayName", email);
    top.string("PayloadIdentifier", profile_id);
    top.string("PayloadType", "Configuration");
    top.string("PayloadUUID", uuid_text(profile_uuid));
    top.integer("PayloadVersion", 1);

    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml +=
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
        "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n";
    xml += "<plist version=\"1.0\">\n<dict>\n";
    xml += top.text();
    xml += "</dict>\n</plist>\n";
    return xml;
}

}  // namespace boxwarden
