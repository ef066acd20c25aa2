#include "boxwarden/from_rewrite.h"

#include <stdexcept>

namespace boxwarden {

namespace {

// SMTP reply text must be printable ASCII; anything else shows as '?'.
std::string reply_safe(std::string_view text) {
    std::string out;
    for (const char c : text) out += (c >= 0x20 && c <= 0x7E) ? c : '?';
    return out;
}

FromVerdict reject(FromCheck check, std::string enhanced, std::string text,
                   HeaderMailbox from = {}) {
    return {check, 550, std::move(enhanced), std::move(text), std::move(from)};
}

}  // namespace

FromNameChoice choose_from_display_name(const FromNameFacts& facts) {
    if (facts.sasl_login.empty()) return {FromNameSource::NoneNotAuthenticated, std::nullopt};
    if (!facts.sender_is_hosted_mailbox) return {FromNameSource::NoneNotHosted, std::nullopt};
    std::string name = sanitize_display_name(facts.mailbox_email_name);
    if (!name.empty()) return {FromNameSource::EmailName, std::move(name)};
    if (facts.login_is_user_account) {
        name = sanitize_display_name(facts.user_display_name);
        if (!name.empty()) return {FromNameSource::UserDisplayName, std::move(name)};
    }
    return {FromNameSource::NoneNoName, std::nullopt};
}

std::string_view to_string(FromNameSource source) {
    switch (source) {
        case FromNameSource::EmailName:
            return "email_name";
        case FromNameSource::UserDisplayName:
            return "user_display_name";
        case FromNameSource::NoneNotHosted:
            return "none_not_hosted";
        case FromNameSource::NoneNotAuthenticated:
            return "none_not_authenticated";
        case FromNameSource::NoneNoName:
            return "none_no_name";
    }
    return "unknown";
}

FromVerdict check_from_header(const std::vector<std::string>& from_values,
                              const FromOwnershipFacts& facts) {
    if (from_values.empty())
        return reject(FromCheck::NoFrom, "5.6.0", "Message has no From header");
    if (from_values.size() > 1) {
        return reject(FromCheck::SeveralFromHeaders, "5.6.0",
                      "Message has " + std::to_string(from_values.size()) +
                          " From headers (exactly one is allowed)");
    }
    AddressListResult parsed = parse_mailbox_list(from_values.front());
    if (!parsed.ok) {
        return reject(FromCheck::Unparseable, "5.6.0",
                      "From header cannot be parsed: " + reply_safe(parsed.error) + " at byte " +
                          std::to_string(parsed.error_offset));
    }
    if (parsed.mailboxes.empty()) {
        return reject(FromCheck::NoAddress, "5.6.0", "From header has no address");
    }
    if (parsed.mailboxes.size() > 1) {
        return reject(FromCheck::SeveralAddresses, "5.7.1",
                      "From header has " + std::to_string(parsed.mailboxes.size()) +
                          " addresses (exactly one is allowed)");
    }
    HeaderMailbox from = std::move(parsed.mailboxes.front());
    const std::string_view delimiters = facts.recipient_delimiters;
    bool owned = !facts.sasl_login.empty() && facts.login_is_mailbox &&
                 names_mailbox(from.address, facts.sasl_login, delimiters);
    for (const std::string& mailbox : facts.assigned_mailboxes) {
        owned = owned || names_mailbox(from.address, mailbox, delimiters);
    }
    if (!owned) {
        const std::string text = "From header address <" + reply_safe(from.address) +
                                 "> is not owned by the authenticated login";
        return reject(FromCheck::NotOwned, "5.7.1", text, std::move(from));
    }
    return {FromCheck::Accept, 250, "2.0.0", "OK", std::move(from)};
}

std::string_view to_string(FromCheck check) {
    switch (check) {
        case FromCheck::Accept:
            return "accept";
        case FromCheck::NoFrom:
            return "no_from";
        case FromCheck::SeveralFromHeaders:
            return "several_from_headers";
        case FromCheck::Unparseable:
            return "unparseable";
        case FromCheck::NoAddress:
            return "no_address";
        case FromCheck::SeveralAddresses:
            return "several_addresses";
        case FromCheck::NotOwned:
            return "not_owned";
    }
    return "unknown";
}

std::optional<std::string> new_from_header_value(const HeaderMailbox& from, std::string_view name) {
    if (!is_valid_address_syntax(from.address)) return std::nullopt;
    try {
        return format_address_header(name, from.address, "From");
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

}  // namespace boxwarden
