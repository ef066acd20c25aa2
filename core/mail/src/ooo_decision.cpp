#include "boxwarden/ooo_decision.h"

#include "boxwarden/text_trim.h"

#include "boxwarden/auto_reply_sender.h"

#include <algorithm>

namespace boxwarden {

namespace {

// The unfolded value without (nested) comments, lowercased.
std::string without_comments(std::string_view value) {
    std::string out;
    std::size_t depth = 0;
    const std::string unfolded = unfolded_trimmed(value);
    for (std::size_t i = 0; i < unfolded.size(); ++i) {
        const char c = unfolded[i];
        if (c == '\\' && depth > 0) {
            ++i;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')' && depth > 0) {
            --depth;
        } else if (depth == 0) {
            out += c;
        }
    }
    return ascii_lowercase(out);
}

// "auto-replied; owner-email=..." -> "auto-replied"
std::string first_token(std::string_view value) {
    const std::string text = without_comments(value);
    return std::string(trim(std::string_view(text).substr(0, text.find(';'))));
}

bool has_suppress_token(std::string_view value) {
    const std::string text = without_comments(value);
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        const std::string_view token = trim(std::string_view(text).substr(start, comma - start));
        if (token == "all" || token == "oof") return true;
        start = comma + 1;
    }
    return false;
}

std::string local_part_of(std::string_view address) {
    const std::size_t at = address.rfind('@');
    return std::string(at == std::string_view::npos ? address : address.substr(0, at));
}

std::size_t physical_lines(const std::vector<HeaderField>& headers) {
    std::size_t lines = 0;
    for (const HeaderField& field : headers) {
        lines +=
            1 + static_cast<std::size_t>(std::count(field.value.begin(), field.value.end(), '\n'));
        // A final line end is not a further line.
        if (!field.value.empty() && field.value.back() == '\n') --lines;
    }
    return lines;
}

}  // namespace

std::string normalized_return_path(std::string_view envelope_sender) {
    return normalize_address(envelope_sender);
}

bool in_to_header(std::string_view mailbox, const std::vector<HeaderMailbox>& to_mailboxes,
                  std::string_view delimiters) {
    return std::any_of(to_mailboxes.begin(), to_mailboxes.end(), [&](const HeaderMailbox& m) {
        return names_mailbox(m.address, mailbox, delimiters);
    });
}

bool in_to_header(std::string_view mailbox, const std::vector<std::string>& to_values,
                  std::string_view delimiters) {
    for (const std::string& value : to_values) {
        const AddressListResult parsed = parse_address_list(value);
        if (parsed.ok && in_to_header(mailbox, parsed.mailboxes, delimiters)) return true;
    }
    return false;
}

OooDecision decide_ooo_reply(const OooFacts& facts, TimePoint now) {
    OooDecision decision;
    const auto add = [&](OooReason reason) { decision.reasons.push_back(reason); };

    if (!facts.mailbox_active) add(OooReason::MailboxInactive);
    if (!facts.ooo_enabled) add(OooReason::OooDisabled);
    if (facts.ooo_start && now < *facts.ooo_start) add(OooReason::BeforeWindow);
    if (facts.ooo_end && now >= *facts.ooo_end) add(OooReason::AfterWindow);

    const std::string sender = normalized_return_path(facts.envelope_sender);
    const std::string_view delimiters = facts.recipient_delimiters;
    if (sender.empty()) {
        add(OooReason::NullSender);
    } else {
        const std::string local = local_part_of(sender);
        const std::string base = local_part_of(strip_address_extension(sender, delimiters));
        if (is_system_local_part(local) || is_system_local_part(base)) add(OooReason::SystemSender);
        if (is_noreply_local_part(local)) add(OooReason::NoReplySender);
        if (!is_valid_address_syntax(sender)) add(OooReason::UnusableSender);
        if (names_mailbox(sender, facts.mailbox_address, delimiters)) add(OooReason::FromSelf);
    }

    bool auto_submitted = false;
    bool precedence = false;
    bool list_header = false;
    bool suppressed = false;
    bool spam = false;
    for (const HeaderField& field : facts.headers) {
        const std::string name = ascii_lowercase(trim(field.name));
        if (name == "auto-submitted") {
            auto_submitted = auto_submitted || first_token(field.value) != "no";
        } else if (name == "precedence") {
            const std::string token = first_token(field.value);
            precedence = precedence || token == "bulk" || token == "list" || token == "junk";
        } else if (name.starts_with("list-")) {
            list_header = true;
        } else if (name == "x-auto-response-suppress") {
            suppressed = suppressed || has_suppress_token(field.value);
        } else if (name == "x-spam-flag") {
            spam = spam || first_token(field.value) == "yes";
        }
    }
    if (auto_submitted) add(OooReason::AutoSubmitted);
    if (precedence) add(OooReason::Precedence);
    if (list_header) add(OooReason::ListHeader);
    if (suppressed) add(OooReason::AutoResponseSuppressed);
    if (spam) add(OooReason::SpamFlag);

    bool addressed = false;
    std::size_t recipients = 0;
    for (const HeaderField& field : facts.headers) {
        const std::string name = ascii_lowercase(trim(field.name));
        if (name != "to" && name != "cc" && name != "resent-to" && name != "resent-cc") continue;
        const AddressListResult parsed = parse_address_list(field.value);
        if (!parsed.ok) {
            if (parsed.error_kind == AddressListErrorKind::TooManyAddresses) {
                recipients += kOooMaxRecipients + 1;
            }
            continue;
        }
        recipients += parsed.mailboxes.size();
        addressed = addressed || in_to_header(facts.mailbox_address, parsed.mailboxes, delimiters);
    }
    if (!addressed) add(OooReason::NotAddressed);
    if (recipients > kOooMaxRecipients) add(OooReason::TooManyRecipients);
    if (physical_lines(facts.headers) > kOooMaxHeaderLines) add(OooReason::TooManyHeaderLines);

    decision.reply = decision.reasons.empty();
    return decision;
}

std::string_view to_string(OooReason reason) {
    switch (reason) {
        case OooReason::MailboxInactive:
            return "mailbox_inactive";
        case OooReason::OooDisabled:
            return "ooo_disabled";
        case OooReason::BeforeWindow:
            return "before_window";
        case OooReason::AfterWindow:
            return "after_window";
        case OooReason::NullSender:
            return "null_sender";
        case OooReason::SystemSender:
            return "system_sender";
        case OooReason::NoReplySender:
            return "noreply_sender";
        case OooReason::UnusableSender:
            return "unusable_sender";
        case OooReason::FromSelf:
            return "from_self";
        case OooReason::AutoSubmitted:
            return "auto_submitted";
        case OooReason::Precedence:
            return "precedence";
        case OooReason::ListHeader:
            return "list_header";
        case OooReason::AutoResponseSuppressed:
            return "auto_response_suppressed";
        case OooReason::SpamFlag:
            return "spam_flag";
        case OooReason::NotAddressed:
            return "not_addressed";
        case OooReason::TooManyRecipients:
            return "too_many_recipients";
        case OooReason::TooManyHeaderLines:
            return "too_many_header_lines";
    }
    return "unknown";
}

}  // namespace boxwarden
