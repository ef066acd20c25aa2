#include "boxwarden/autoconfig.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace boxwarden {
namespace {

MailClientHosts hosts_for_test() {
    MailClientHosts h;
    h.imap_host = "imap.example.de";
    h.imap_port = 143;
    h.imap_security = "starttls";
    h.pop3_host = "pop.example.de";
    h.pop3_port = 995;
    h.pop3_security = "ssl";
    h.smtp_host = "smtp.example.de";
    h.smtp_port = 25;
    h.smtp_security = "none";
    return h;
}

// A small well-formedness check: one root element, balanced tags, quoted
// attributes, only the five predefined entities or character references, no
// raw '<' or '&' in text. Returns an empty string or the first problem.
std::string xml_problem(const std::string& xml) {
    size_t i = 0;
    if (xml.rfind("<?xml ", 0) == 0) {
        i = xml.find("?>");
        if (i == std::string::npos) return "unterminated declaration";
        i += 2;
    }
    std::vector<std::string> stack;
    bool root_seen = false;
    const auto is_name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
               c == '.';
    };
    const auto check_entities = [](const std::string& text) -> std::string {
        for (size_t p = 0; p < text.size(); ++p) {
            if (text[p] == '<') return "raw < in text";
            if (text[p] != '&') continue;
            const size_t semi = text.find(';', p);
            if (semi == std::string::npos) return "unterminated entity";
            const std::string entity = text.substr(p + 1, semi - p - 1);
            if (entity != "amp" && entity != "lt" && entity != "gt" && entity != "quot" &&
                entity != "apos" && entity.rfind('#', 0) != 0) {
                return "unknown entity &" + entity + ";";
            }
        }
        return {};
    };
    while (i < xml.size()) {
        const size_t lt = xml.find('<', i);
        const std::string text = xml.substr(i, lt == std::string::npos ? lt : lt - i);
        if (auto problem = check_entities(text); !problem.empty()) return problem;
        if (stack.empty() && text.find_first_not_of(" \n\t\r") != std::string::npos) {
            return "text outside the root element";
        }
        if (lt == std::string::npos) break;
        const size_t gt = xml.find('>', lt);
        if (gt == std::string::npos) return "unterminated tag";
        std::string tag = xml.substr(lt + 1, gt - lt - 1);
        i = gt + 1;
        if (!tag.empty() && tag[0] == '/') {
            if (stack.empty() || stack.back() != tag.substr(1)) return "mismatched </" + tag + ">";
            stack.pop_back();
            continue;
        }
        const bool self_closing = !tag.empty() && tag.back() == '/';
        if (self_closing) tag.pop_back();
        size_t p = 0;
        while (p < tag.size() && is_name_char(tag[p])) ++p;
        const std::string name = tag.substr(0, p);
        if (name.empty()) return "empty tag name";
        while (p < tag.size()) {  // attributes: name="value"
            while (p < tag.size() && tag[p] == ' ') ++p;
            if (p == tag.size()) break;
            const size_t eq = tag.find('=', p);
            if (eq == std::string::npos || tag[eq + 1] != '"') return "bad attribute in " + name;
            const size_t close = tag.find('"', eq + 2);
            if (close == std::string::npos) return "unterminated attribute in " + name;
            if (auto problem = check_entities(tag.substr(eq + 2, close - eq - 2));
                !problem.empty()) {
                return problem;
            }
            p = close + 1;
        }
        if (stack.empty()) {
            if (root_seen) return "second root element";
            root_seen = true;
        }
        if (!self_closing) stack.push_back(name);
    }
    if (!stack.empty()) return "unclosed <" + stack.back() + ">";
    if (!root_seen) return "no root element";
    return {};
}

// xmllint --noout when libxml2-utils is installed.
void expect_xmllint_accepts(const std::string& xml) {
    if (access("/usr/bin/xmllint", X_OK) != 0) return;
    const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                       ("boxwarden-xml-" + std::to_string(getpid()) + ".xml");
    std::ofstream(path) << xml;
    const std::string command = "/usr/bin/xmllint --noout '" + path.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::filesystem::remove(path);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << xml;
}

void expect_well_formed(const std::string& xml) {
    EXPECT_EQ(xml_problem(xml), "") << xml;
    expect_xmllint_accepts(xml);
}

TEST(XmlChecker, CatchesBrokenDocuments) {
    EXPECT_EQ(xml_problem("<a><b>x</b></a>"), "");
    EXPECT_NE(xml_problem("<a><b>x</a></b>"), "");
    EXPECT_NE(xml_problem("<a>x & y</a>"), "");
    EXPECT_NE(xml_problem("<a x=\"1\">"), "");
    EXPECT_NE(xml_problem("<a/><b/>"), "");
}

TEST(XmlEscape, EscapesAndReplaces) {
    EXPECT_EQ(xml_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    EXPECT_EQ(xml_escape("M\xC3\xBCller"), "M\xC3\xBCller");
    EXPECT_EQ(xml_escape(std::string("a\0b\x01", 4)),
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD");
    EXPECT_EQ(xml_escape("\xFF"), "\xEF\xBF\xBD");
    EXPECT_EQ(xml_escape("\xEF\xBF\xBF"), "\xEF\xBF\xBD");  // U+FFFF
    EXPECT_EQ(xml_escape("tab\there"), "tab\there");
}

TEST(MozillaAutoconfig, Content) {
    const std::string xml = mozilla_autoconfig_xml("Example.DE", hosts_for_test(), "Example Mail");
    expect_well_formed(xml);
    EXPECT_EQ(
        xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">", 0),
        0u);
    EXPECT_NE(xml.find("<emailProvider id=\"example.de\">"), std::string::npos);
    EXPECT_NE(xml.find("<domain>example.de</domain>"), std::string::npos);
    EXPECT_NE(xml.find("<displayName>Example Mail</displayName>"), std::string::npos);
    EXPECT_NE(xml.find("<incomingServer type=\"imap\">\n"
                       "      <hostname>imap.example.de</hostname>\n"
                       "      <port>143</port>\n"
                       "      <socketType>STARTTLS</socketType>\n"
                       "      <username>%EMAILADDRESS%</username>\n"
                       "      <authentication>password-cleartext</authentication>\n"
                       "    </incomingServer>"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<incomingServer type=\"pop3\">\n"
                       "      <hostname>pop.example.de</hostname>\n"
                       "      <port>995</port>\n"
                       "      <socketType>SSL</socketType>"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<outgoingServer type=\"smtp\">\n"
                       "      <hostname>smtp.example.de</hostname>\n"
                       "      <port>25</port>\n"
                       "      <socketType>plain</socketType>"),
              std::string::npos)
        << xml;
}

TEST(MozillaAutoconfig, HostileDisplayNameIsEscaped) {
    const std::string name =
        std::string("A & B <Co> \"x\" 'y' ]]> \r\n</displayName><x>") + '\0' + "\x01";
    const std::string xml = mozilla_autoconfig_xml("example.de", hosts_for_test(), name);
    expect_well_formed(xml);
    EXPECT_NE(xml.find("<displayName>A &amp; B &lt;Co&gt; &quot;x&quot; &apos;y&apos; ]]&gt; "
                       "&lt;/displayName&gt;&lt;x&gt;</displayName>"),
              std::string::npos)
        << xml;
}

TEST(MozillaAutoconfig, DefaultsAndOmissions) {
    MailClientHosts h = hosts_for_test();
    h.pop3_host.clear();
    const std::string xml = mozilla_autoconfig_xml("example.de", h, "");
    expect_well_formed(xml);
    EXPECT_NE(xml.find("<displayName>example.de</displayName>"), std::string::npos);
    EXPECT_EQ(xml.find("pop3"), std::string::npos);
}

TEST(MozillaAutoconfig, RejectsBadInput) {
    EXPECT_THROW(mozilla_autoconfig_xml("exa mple.de", hosts_for_test(), ""),
                 std::invalid_argument);
    EXPECT_THROW(mozilla_autoconfig_xml("example.de\"><x", hosts_for_test(), ""),
                 std::invalid_argument);
    EXPECT_THROW(mozilla_autoconfig_xml("", hosts_for_test(), ""), std::invalid_argument);
    MailClientHosts h = hosts_for_test();
    h.imap_host = "imap<x>.example.de";
    EXPECT_THROW(mozilla_autoconfig_xml("example.de", h, ""), AccessDataError);
}

TEST(OutlookAutodiscover, Content) {
    const std::string xml = outlook_autodiscover_xml("o'brien@example.de", hosts_for_test());
    expect_well_formed(xml);
    EXPECT_NE(xml.find("<Autodiscover "
                       "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
                       "responseschema/2006\">"),
              std::string::npos);
    EXPECT_NE(xml.find("<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
                       "outlook/responseschema/2006a\">"),
              std::string::npos);
    EXPECT_NE(xml.find("<AccountType>email</AccountType>"), std::string::npos);
    EXPECT_NE(xml.find("<Action>settings</Action>"), std::string::npos);
    EXPECT_NE(xml.find("<Type>IMAP</Type>\n"
                       "        <Server>imap.example.de</Server>\n"
                       "        <Port>143</Port>\n"
                       "        <DomainRequired>off</DomainRequired>\n"
                       "        <LoginName>o&apos;brien@example.de</LoginName>\n"
                       "        <SPA>off</SPA>\n"
                       "        <SSL>on</SSL>\n"
                       "        <Encryption>TLS</Encryption>\n"
                       "        <AuthRequired>on</AuthRequired>"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<Type>POP3</Type>\n"
                       "        <Server>pop.example.de</Server>\n"
                       "        <Port>995</Port>\n"
                       "        <DomainRequired>off</DomainRequired>\n"
                       "        <LoginName>o&apos;brien@example.de</LoginName>\n"
                       "        <SPA>off</SPA>\n"
                       "        <SSL>on</SSL>\n"
                       "        <AuthRequired>on</AuthRequired>"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<Type>SMTP</Type>\n"
                       "        <Server>smtp.example.de</Server>\n"
                       "        <Port>25</Port>\n"
                       "        <DomainRequired>off</DomainRequired>\n"
                       "        <LoginName>o&apos;brien@example.de</LoginName>\n"
                       "        <SPA>off</SPA>\n"
                       "        <SSL>off</SSL>\n"
                       "        <AuthRequired>on</AuthRequired>"),
              std::string::npos)
        << xml;
    // Encryption appears only for the STARTTLS server.
    EXPECT_EQ(xml.find("<Encryption>"), xml.rfind("<Encryption>"));
}

TEST(OutlookAutodiscover, RejectsBadInput) {
    EXPECT_THROW(outlook_autodiscover_xml("info", hosts_for_test()), std::invalid_argument);
    EXPECT_THROW(outlook_autodiscover_xml("<x>@example.de", hosts_for_test()),
                 std::invalid_argument);
    MailClientHosts h = hosts_for_test();
    h.smtp_port = 0;
    EXPECT_THROW(outlook_autodiscover_xml("info@example.de", h), AccessDataError);
}

}  // namespace
}  // namespace boxwarden
