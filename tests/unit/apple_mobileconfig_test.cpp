// The Apple configuration profile, parsed with a real XML parser (expat) and
// checked against the key set and types of Apple's Device Management
// reference (github.com/apple/device-management: mdm/profiles/TopLevel.yaml,
// CommonPayloadKeys.yaml, com.apple.mail.managed.yaml) — what `plutil -lint`
// plus a schema check would do on a Mac.
#include <expat.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "boxwarden/access_data.h"
#include "boxwarden/autoconfig.h"

namespace boxwarden {
namespace {

// ---- a small DOM from expat ----------------------------------------------------------

struct Element {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::vector<std::unique_ptr<Element>> children;
    std::string text;  // character data directly inside
};

struct DomBuilder {
    std::unique_ptr<Element> root;
    std::vector<Element*> open;
};

void on_start(void* user, const XML_Char* name, const XML_Char** attrs) {
    auto* b = static_cast<DomBuilder*>(user);
    auto e = std::make_unique<Element>();
    e->name = name;
    for (int i = 0; attrs[i]; i += 2) e->attributes[attrs[i]] = attrs[i + 1];
    Element* raw = e.get();
    if (b->open.empty())
        b->root = std::move(e);
    else
        b->open.back()->children.push_back(std::move(e));
    b->open.push_back(raw);
}

void on_end(void* user, const XML_Char*) {
    static_cast<DomBuilder*>(user)->open.pop_back();
}

void on_text(void* user, const XML_Char* s, int len) {
    auto* b = static_cast<DomBuilder*>(user);
    if (!b->open.empty()) b->open.back()->text.append(s, static_cast<size_t>(len));
}

// The document element, or nullptr and the parser's error in `error`.
std::unique_ptr<Element> parse_xml(const std::string& xml, std::string& error) {
    DomBuilder b;
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, &b);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    if (XML_Parse(p, xml.data(), static_cast<int>(xml.size()), 1) != XML_STATUS_OK) {
        error = std::string(XML_ErrorString(XML_GetErrorCode(p))) + " at line " +
                std::to_string(XML_GetCurrentLineNumber(p));
        b.root.reset();
    }
    XML_ParserFree(p);
    return std::move(b.root);
}

// ---- plist values ---------------------------------------------------------------------

enum class Type { String, Integer, Boolean, Array, Dict, Other };

struct Value {
    Type type = Type::Other;
    std::string text;  // string / integer text; "true"/"false" for booleans
    std::vector<Value> items;
    std::vector<std::pair<std::string, Value>> entries;  // dict, in document order
    const Value* get(const std::string& key) const {
        for (const auto& [k, v] : entries)
            if (k == key) return &v;
        return nullptr;
    }
};

Value to_value(const Element& e, std::vector<std::string>& problems) {
    Value v;
    if (e.name == "string") {
        v.type = Type::String;
        v.text = e.text;
    } else if (e.name == "integer") {
        v.type = Type::Integer;
        v.text = e.text;
        if (!std::regex_match(v.text, std::regex("-?[0-9]+")))
            problems.push_back("integer '" + v.text + "' is not a number");
    } else if (e.name == "true" || e.name == "false") {
        v.type = Type::Boolean;
        v.text = e.name;
        if (!e.children.empty() || !e.text.empty())
            problems.push_back("<" + e.name + "/> not empty");
    } else if (e.name == "array") {
        v.type = Type::Array;
        for (const auto& c : e.children) v.items.push_back(to_value(*c, problems));
    } else if (e.name == "dict") {
        v.type = Type::Dict;
        std::set<std::string> seen;
        for (size_t i = 0; i < e.children.size(); i += 2) {
            if (e.children[i]->name != "key" || i + 1 >= e.children.size()) {
                problems.push_back("dict entries must be <key> followed by a value");
                break;
            }
            const std::string key = e.children[i]->text;
            if (!seen.insert(key).second) problems.push_back("duplicate key " + key);
            v.entries.emplace_back(key, to_value(*e.children[i + 1], problems));
        }
    } else {
        problems.push_back("unexpected element <" + e.name + ">");
    }
    return v;
}

// ---- the documented key sets ---------------------------------------------------------------

struct KeySpec {
    Type type;
    bool required;
    std::vector<std::string> range;  // allowed values when not empty
};
using Schema = std::map<std::string, KeySpec>;

const Schema& top_level_schema() {  // TopLevel.yaml
    static const Schema s = {
        {"PayloadContent", {Type::Array, true, {}}},
        {"PayloadDescription", {Type::String, false, {}}},
        {"PayloadDisplayName", {Type::String, false, {}}},
        {"PayloadIdentifier", {Type::String, true, {}}},
        {"PayloadOrganization", {Type::String, false, {}}},
        {"PayloadType", {Type::String, true, {"Configuration"}}},
        {"PayloadUUID", {Type::String, true, {}}},
        {"PayloadVersion", {Type::Integer, true, {"1"}}},
        {"PayloadRemovalDisallowed", {Type::Boolean, false, {}}},
        {"PayloadScope", {Type::String, false, {"System", "User"}}},
        {"IsEncrypted", {Type::Boolean, false, {}}},
        {"HasRemovalPasscode", {Type::Boolean, false, {}}},
    };
    return s;
}

const Schema& mail_payload_schema() {  // CommonPayloadKeys.yaml + com.apple.mail.managed.yaml
    static const std::vector<std::string> auth = {"EmailAuthNone", "EmailAuthPassword",
                                                  "EmailAuthCRAMMD5", "EmailAuthNTLM",
                                                  "EmailAuthHTTPMD5"};
    static const Schema s = {
        {"PayloadIdentifier", {Type::String, true, {}}},
        {"PayloadUUID", {Type::String, true, {}}},
        {"PayloadType", {Type::String, true, {"com.apple.mail.managed"}}},
        {"PayloadVersion", {Type::Integer, true, {"1"}}},
        {"PayloadDescription", {Type::String, false, {}}},
        {"PayloadDisplayName", {Type::String, false, {}}},
        {"PayloadOrganization", {Type::String, false, {}}},
        {"EmailAccountDescription", {Type::String, false, {}}},
        {"EmailAccountName", {Type::String, false, {}}},
        {"EmailAccountType", {Type::String, true, {"EmailTypeIMAP", "EmailTypePOP"}}},
        {"EmailAddress", {Type::String, false, {}}},
        {"IncomingMailServerAuthentication", {Type::String, true, auth}},
        {"IncomingMailServerHostName", {Type::String, true, {}}},
        {"IncomingMailServerPortNumber", {Type::Integer, false, {}}},
        {"IncomingMailServerUseSSL", {Type::Boolean, false, {}}},
        {"IncomingMailServerUsername", {Type::String, false, {}}},
        {"IncomingMailServerIMAPPathPrefix", {Type::String, false, {}}},
        {"IncomingPassword", {Type::String, false, {}}},
        {"OutgoingPassword", {Type::String, false, {}}},
        {"OutgoingPasswordSameAsIncomingPassword", {Type::Boolean, false, {}}},
        {"OutgoingMailServerAuthentication", {Type::String, true, auth}},
        {"OutgoingMailServerHostName", {Type::String, true, {}}},
        {"OutgoingMailServerPortNumber", {Type::Integer, false, {}}},
        {"OutgoingMailServerUseSSL", {Type::Boolean, false, {}}},
        {"OutgoingMailServerUsername", {Type::String, false, {}}},
        {"PreventMove", {Type::Boolean, false, {}}},
        {"PreventAppSheet", {Type::Boolean, false, {}}},
        {"SMIMEEnabled", {Type::Boolean, false, {}}},
        {"disableMailRecentsSyncing", {Type::Boolean, false, {}}},
        {"allowMailDrop", {Type::Boolean, false, {}}},
    };
    return s;
}

const char* type_name(Type t) {
    switch (t) {
        case Type::String:
            return "string";
        case Type::Integer:
            return "integer";
        case Type::Boolean:
            return "boolean";
        case Type::Array:
            return "array";
        case Type::Dict:
            return "dict";
        case Type::Other:
            break;
    }
    return "other";
}

void check_dict(const Value& dict, const Schema& schema, const std::string& where,
                std::vector<std::string>& problems) {
    if (dict.type != Type::Dict) {
        problems.push_back(where + " is not a dict");
        return;
    }
    for (const auto& [key, value] : dict.entries) {
        auto spec = schema.find(key);
        if (spec == schema.end()) {
            problems.push_back(where + ": undocumented key " + key);
            continue;
        }
        if (value.type != spec->second.type) {
            problems.push_back(where + ": " + key + " is " + type_name(value.type) + ", not " +
                               type_name(spec->second.type));
            continue;
        }
        const auto& range = spec->second.range;
        if (!range.empty() && std::find(range.begin(), range.end(), value.text) == range.end())
            problems.push_back(where + ": " + key + " = '" + value.text + "' is not allowed");
    }
    for (const auto& [key, spec] : schema)
        if (spec.required && !dict.get(key)) problems.push_back(where + ": missing " + key);
    static const std::regex uuid(
        "[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-"
        "[0-9A-Za-z]{12}");
    if (const Value* u = dict.get("PayloadUUID"); u && !std::regex_match(u->text, uuid))
        problems.push_back(where + ": PayloadUUID '" + u->text + "' is not a UUID");
}

// Everything wrong with a profile (empty: valid), and its parsed value.
std::vector<std::string> profile_problems(const std::string& xml, Value* out = nullptr) {
    std::vector<std::string> problems;
    std::string error;
    const auto root = parse_xml(xml, error);
    if (!root) return {"not well-formed XML: " + error};
    if (root->name != "plist" || root->attributes["version"] != "1.0")
        problems.push_back("root is not <plist version=\"1.0\">");
    if (root->children.size() != 1) return {"plist must hold exactly one value"};
    const Value top = to_value(*root->children[0], problems);
    check_dict(top, top_level_schema(), "profile", problems);
    if (const Value* content = top.get("PayloadContent"); content) {
        if (content->items.empty()) problems.push_back("PayloadContent is empty");
        for (size_t i = 0; i < content->items.size(); ++i)
            check_dict(content->items[i], mail_payload_schema(), "payload " + std::to_string(i),
                       problems);
    }
    if (out) *out = top;
    return problems;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}

MailClientHosts hosts_for_test() {
    MailClientHosts h;
    h.imap_host = "imap.example.de";
    h.imap_port = 143;
    h.imap_security = "starttls";
    h.pop3_host = "pop.example.de";
    h.smtp_host = "smtp.example.de";
    h.smtp_port = 25;
    h.smtp_security = "none";
    return h;
}

const Value& mail_payload(const Value& top) {
    return top.get("PayloadContent")->items.at(0);
}

// ---- the validator itself catches what it must ---------------------------------------------

TEST(MobileconfigValidator, CatchesBrokenProfiles) {
    const std::string good = apple_mobileconfig("info@example.de", "", hosts_for_test());
    ASSERT_EQ(joined(profile_problems(good)), "");
    auto with = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        const size_t at = s.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return s.replace(at, from.size(), to);
    };
    EXPECT_NE(joined(profile_problems(with("<key>EmailAddress</key>", "<key>EmailAdress</key>"))),
              "");  // a typo'd key is undocumented
    EXPECT_NE(joined(profile_problems(with("<integer>143</integer>", "<string>143</string>"))),
              "");  // wrong type
    EXPECT_NE(joined(profile_problems(
                  with("<string>EmailTypeIMAP</string>", "<string>EmailTypeIMAPS</string>"))),
              "");  // outside the range list
    EXPECT_NE(
        joined(profile_problems(with("<key>PayloadVersion</key>\n  <integer>1</integer>\n", ""))),
        "");  // required key missing (top level)
    EXPECT_NE(joined(profile_problems(with("</dict>\n</plist>", "</plist>"))),
              "");  // not well-formed any more
    EXPECT_NE(
        joined(profile_problems(with("<key>EmailAddress</key>", "<key>EmailAccountType</key>"))),
        "");  // duplicate key
}

// ---- the profile -------------------------------------------------------------------------------

TEST(AppleMobileconfig, ValidProfileWithTheDocumentedKeysAndTheConfiguredServers) {
    Value top;
    const std::string xml = apple_mobileconfig("Info@Example.DE", "Info Desk", hosts_for_test());
    ASSERT_EQ(joined(profile_problems(xml, &top)), "") << xml;
    EXPECT_EQ(top.get("PayloadType")->text, "Configuration");
    EXPECT_EQ(top.get("PayloadContent")->items.size(), 1u);
    const Value& m = mail_payload(top);
    EXPECT_EQ(m.get("PayloadType")->text, "com.apple.mail.managed");
    EXPECT_EQ(m.get("EmailAccountType")->text, "EmailTypeIMAP");
    EXPECT_EQ(m.get("EmailAddress")->text, "info@example.de");
    EXPECT_EQ(m.get("EmailAccountName")->text, "Info Desk");
    EXPECT_EQ(m.get("IncomingMailServerHostName")->text, "imap.example.de");
    EXPECT_EQ(m.get("IncomingMailServerPortNumber")->text, "143");
    EXPECT_EQ(m.get("IncomingMailServerUseSSL")->text, "true");  // starttls
    EXPECT_EQ(m.get("IncomingMailServerAuthentication")->text, "EmailAuthPassword");
    EXPECT_EQ(m.get("IncomingMailServerUsername")->text, "info@example.de");
    EXPECT_EQ(m.get("OutgoingMailServerHostName")->text, "smtp.example.de");
    EXPECT_EQ(m.get("OutgoingMailServerPortNumber")->text, "25");
    EXPECT_EQ(m.get("OutgoingMailServerUseSSL")->text, "false");  // none
    EXPECT_EQ(m.get("OutgoingMailServerAuthentication")->text, "EmailAuthPassword");
    EXPECT_EQ(m.get("OutgoingMailServerUsername")->text, "info@example.de");
    EXPECT_EQ(m.get("OutgoingPasswordSameAsIncomingPassword")->text, "true");
    // Never a password, and POP3 is not offered to Apple Mail.
    EXPECT_EQ(m.get("IncomingPassword"), nullptr);
    EXPECT_EQ(m.get("OutgoingPassword"), nullptr);
    EXPECT_EQ(xml.find("Password</key>\n      <string>"), std::string::npos);
    EXPECT_EQ(xml.find("pop.example.de"), std::string::npos);
}

TEST(AppleMobileconfig, IdentifiersAreStablePerAddressAndDistinct) {
    Value a, b, c;
    ASSERT_EQ(
        joined(profile_problems(apple_mobileconfig("info@example.de", "", hosts_for_test()), &a)),
        "");
    MailClientHosts other = hosts_for_test();
    other.imap_port = 993;
    ASSERT_EQ(
        joined(profile_problems(apple_mobileconfig("INFO@example.de", "New Name", other), &b)), "");
    ASSERT_EQ(
        joined(profile_problems(apple_mobileconfig("sales@example.de", "", hosts_for_test()), &c)),
        "");
    // A second download (other name, other port) replaces the first ...
    for (const char* key : {"PayloadUUID", "PayloadIdentifier"}) {
        EXPECT_EQ(a.get(key)->text, b.get(key)->text) << key;
        EXPECT_EQ(mail_payload(a).get(key)->text, mail_payload(b).get(key)->text) << key;
        EXPECT_NE(a.get(key)->text, c.get(key)->text) << key;  // ... another mailbox does not
        EXPECT_NE(a.get(key)->text, mail_payload(a).get(key)->text) << key;
    }
    // uuid5(NAMESPACE_URL, "urn:boxwarden:mobileconfig:profile:info@example.de") (Python).
    EXPECT_EQ(a.get("PayloadUUID")->text, "703F5B76-22D2-5510-800A-DCCF5F936CBC");
    EXPECT_EQ(a.get("PayloadIdentifier")->text,
              "de.example.boxwarden.mail.703f5b76-22d2-5510-800a-dccf5f936cbc");
}

TEST(AppleMobileconfig, HostileEmailNameStaysOneString) {
    Value top;
    const std::string name =
        "</string><key>IncomingPassword</key><string>x</string> & \"q\" 'a' ]]> \r\n\x01";
    const std::string xml = apple_mobileconfig("info@example.de", name, hosts_for_test());
    ASSERT_EQ(joined(profile_problems(xml, &top)), "") << xml;
    const Value& m = mail_payload(top);
    EXPECT_EQ(m.get("EmailAccountName")->text,
              "</string><key>IncomingPassword</key><string>x</string> & \"q\" 'a' ]]>");
    EXPECT_EQ(m.get("IncomingPassword"), nullptr);
}

TEST(AppleMobileconfig, NoEmailNameLeavesTheAccountNameOut) {
    Value top;
    ASSERT_EQ(joined(profile_problems(
                  apple_mobileconfig("info@example.de", " \t", hosts_for_test()), &top)),
              "");
    EXPECT_EQ(mail_payload(top).get("EmailAccountName"), nullptr);
    EXPECT_EQ(mail_payload(top).get("EmailAccountDescription")->text, "info@example.de");
}

TEST(AppleMobileconfig, RejectsBadInput) {
    EXPECT_THROW(apple_mobileconfig("info", "", hosts_for_test()), std::invalid_argument);
    EXPECT_THROW(apple_mobileconfig("<x>@example.de", "", hosts_for_test()), std::invalid_argument);
    MailClientHosts h = hosts_for_test();
    h.imap_host = "imap</string>.example.de";
    EXPECT_THROW(apple_mobileconfig("info@example.de", "", h), AccessDataError);
}

// The whole document, byte for byte: umlauts, an emoji and < & " in the
// email name (UUIDs from Python's uuid.uuid5, not from this code).
TEST(AppleMobileconfig, Golden) {
    MailClientHosts h;
    h.imap_host = "imap.example.de";
    h.imap_port = 993;
    h.imap_security = "ssl";
    h.smtp_host = "smtp.example.de";
    h.smtp_port = 587;
    h.smtp_security = "starttls";
    const std::string xml = apple_mobileconfig(
        "info@example.de",
        "M\xC3\xBCller & S\xC3\xB6hne <B\xC3\xBCro> \"\xC3\x84\" \xF0\x9F\x9A\x80", h);
    const std::string expected = R"PLIST(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>EmailAccountDescription</key>
      <string>info@example.de</string>
      <key>EmailAccountName</key>
      <string>Müller &amp; Söhne &lt;Büro&gt; &quot;Ä&quot; 🚀</string>
      <key>EmailAccountType</key>
      <string>EmailTypeIMAP</string>
      <key>EmailAddress</key>
      <string>info@example.de</string>
      <key>IncomingMailServerAuthentication</key>
      <string>EmailAuthPassword</string>
      <key>IncomingMailServerHostName</key>
      <string>imap.example.de</string>
      <key>IncomingMailServerPortNumber</key>
      <integer>993</integer>
      <key>IncomingMailServerUseSSL</key>
      <true/>
      <key>IncomingMailServerUsername</key>
      <string>info@example.de</string>
      <key>OutgoingMailServerAuthentication</key>
      <string>EmailAuthPassword</string>
      <key>OutgoingMailServerHostName</key>
      <string>smtp.example.de</string>
      <key>OutgoingMailServerPortNumber</key>
      <integer>587</integer>
      <key>OutgoingMailServerUseSSL</key>
      <true/>
      <key>OutgoingMailServerUsername</key>
      <string>info@example.de</string>
      <key>OutgoingPasswordSameAsIncomingPassword</key>
      <true/>
      <key>PayloadDisplayName</key>
      <string>info@example.de (IMAP, SMTP)</string>
      <key>PayloadIdentifier</key>
      <string>de.example.boxwarden.mail.703f5b76-22d2-5510-800a-dccf5f936cbc.account</string>
      <key>PayloadType</key>
      <string>com.apple.mail.managed</string>
      <key>PayloadUUID</key>
      <string>513CC060-0701-5F9B-A01C-7A3D82DF6A66</string>
      <key>PayloadVersion</key>
      <integer>1</integer>
    </dict>
  </array>
  <key>PayloadDescription</key>
  <string>Mail account info@example.de (IMAP and SMTP). The password is not in this profile: enter it when installing.</string>
  <key>PayloadDisplayName</key>
  <string>info@example.de</string>
  <key>PayloadIdentifier</key>
  <string>de.example.boxwarden.mail.703f5b76-22d2-5510-800a-dccf5f936cbc</string>
  <key>PayloadType</key>
  <string>Configuration</string>
  <key>PayloadUUID</key>
  <string>703F5B76-22D2-5510-800A-DCCF5F936CBC</string>
  <key>PayloadVersion</key>
  <integer>1</integer>
</dict>
</plist>
)PLIST";
    EXPECT_EQ(xml, expected);
    EXPECT_EQ(joined(profile_problems(xml)), "");
}

}  // namespace
}  // namespace boxwarden
