#include "boxwarden/ooo_message.h"

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "boxwarden/activity_event_id.h"
#include "boxwarden/address_list.h"
#include "boxwarden/ooo_decision.h"

namespace boxwarden {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

// Control characters and Unicode line/paragraph separators become spaces,
// runs of spaces one, ends trimmed (sanitize_display_name's rules follow
// when the header is encoded).
std::string one_line(std::string_view text) {
    std::string out;
    bool pending_space = false;
    const std::string valid = to_valid_utf8(text);
    for (std::size_t pos = 0; pos < valid.size();) {
        const Utf8Step step = decode_utf8_at(valid, pos);
        const std::string_view bytes = std::string_view(valid).substr(pos, step.length);
        pos += step.length;
        const char32_t c = step.code_point;
        if (c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += bytes;
    }
    return out;
}

// At most `max_bytes`, cut before a UTF-8 character and ended with "…".
std::string shorten(std::string text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t end = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t length = decode_utf8_at(text, pos).length;
        if (pos + length + kEllipsis.size() > max_bytes) break;
        pos += length;
        end = pos;
    }
    text.resize(end);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + std::string(kEllipsis);
}

// "<left@right>", printable ASCII without white space or angle brackets.
bool is_plain_msg_id(std::string_view id) {
    if (id.size() < 5 || id.size() > kMaxMessageIdBytes || id.front() != '<' || id.back() != '>')
        return false;
    const std::string_view inner = id.substr(1, id.size() - 2);
    const std::size_t at = inner.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == inner.size()) return false;
    for (const char c : inner) {
        if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '"' || c == '\\') return false;
    }
    return true;
}

// Every <...> token of a References / In-Reply-To value, in order.
std::vector<std::string> msg_ids_in(std::string_view value) {
    std::vector<std::string> ids;
    const std::string text = unfolded_trimmed(value);
    std::size_t pos = 0;
    while (true) {
        const std::size_t open = text.find('<', pos);
        if (open == std::string::npos) break;
        const std::size_t close = text.find('>', open);
        if (close == std::string::npos) break;
        std::string id = text.substr(open, close - open + 1);
        if (is_plain_msg_id(id)) ids.push_back(std::move(id));
        pos = close + 1;
    }
    return ids;
}

std::string first_value(const std::vector<HeaderField>& headers, std::string_view name) {
    const std::vector<std::string> values = header_values(headers, name);
    return values.empty() ? std::string() : values.front();
}

std::string body_text(std::string_view body) {
    const std::string valid = to_valid_utf8(body);
    std::string out;
    for (std::size_t i = 0; i < valid.size(); ++i) {
        const auto c = static_cast<unsigned char>(valid[i]);
        if (c == '\r') {
            out += '\n';
            if (i + 1 < valid.size() && valid[i + 1] == '\n') ++i;
        } else if (c >= 0x20 || c == '\n' || c == '\t') {
            if (c != 0x7F) out += static_cast<char>(c);
        }
    }
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out;
}

std::string to_crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (const char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

std::string message_id_for(std::string_view domain, TimePoint now,
                           const std::array<unsigned char, 16>& random) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    char time_hex[32];
    std::snprintf(time_hex, sizeof time_hex, "%llx",
                  static_cast<unsigned long long>(seconds.count() < 0 ? 0 : seconds.count()));
    std::string id = "<";
    id += time_hex;
    id += '.';
    for (const unsigned char b : random) {
        id += kHex[b >> 4];
        id += kHex[b & 15];
    }
    return id + "@" + std::string(domain) + ">";
}

}  // namespace

std::string ooo_reply_subject(const std::vector<HeaderField>& original_headers,
                              std::string_view ooo_subject) {
    const std::vector<std::string> subjects = header_values(original_headers, "Subject");
    std::string original =
        subjects.empty() ? std::string() : one_line(decode_rfc2047(subjects.front()));
    std::string subject;
    if (!original.empty()) {
        subject = "Auto: " + original;
    } else {
        subject = one_line(ooo_subject);
        if (subject.empty()) subject = "Automated reply";
    }
    return shorten(std::move(subject), kMaxReplySubjectBytes);
}

OooReply compose_ooo_reply(const OooReplyFacts& facts, TimePoint now,
                           const std::array<unsigned char, 16>& random) {
    const std::string rcpt = normalized_return_path(facts.envelope_sender);
    if (rcpt.empty()) throw std::invalid_argument("no out-of-office reply to the null sender");
    if (!is_valid_address_syntax(rcpt))
        throw std::invalid_argument("the return path is not an address a reply can be sent to");
    const std::string mailbox = ascii_lowercase(facts.mailbox_address);
    if (!is_valid_address_syntax(mailbox))
        throw std::invalid_argument("the mailbox address is not valid");
    const std::string domain = mailbox.substr(mailbox.rfind('@') + 1);

    std::string to_name;
    const AddressListResult from = parse_mailbox_list(first_value(facts.original_headers, "From"));
    if (from.ok && from.mailboxes.size() == 1) to_name = from.mailboxes.front().display_name;

    std::string head;
    head += "From: " + format_address_header(facts.mailbox_email_name, mailbox, "From") + "\n";
    head += "To: " + format_address_header(to_name, rcpt, "To") + "\n";
    head += encode_unstructured_header(
                "Subject", ooo_reply_subject(facts.original_headers, facts.ooo_subject)) +
            "\n";
    head += "Date: " + format_rfc5322_date(now) + "\n";
    head += "Message-ID: " + message_id_for(domain, now, random) + "\n";

    const std::string original_id =
        message_id_token(first_value(facts.original_headers, "Message-ID"));
    std::vector<std::string> references =
        msg_ids_in(first_value(facts.original_headers, "References"));
    if (is_plain_msg_id(original_id)) {
        head += "In-Reply-To: " + original_id + "\n";
        references.push_back(original_id);
    }
    if (references.size() > kMaxReferences) {
        // Keep the thread's first message and the most recent ones (RFC 5322 3.6.4).
        std::vector<std::string> kept{references.front()};
        kept.insert(kept.end(), references.end() - (kMaxReferences - 1), references.end());
        references = std::move(kept);
    }
    if (!references.empty()) {
        head += "References:";
        for (std::size_t i = 0; i < references.size(); ++i) {
            head += (i == 0 ? " " : "\n ") + references[i];
        }
        head += "\n";
    }
    head += "Auto-Submitted: auto-replied\n";
    head += "Precedence: bulk\n";
    head += "X-Auto-Response-Suppress: All\n";
    head += "MIME-Version: 1.0\n";
    head += "Content-Type: text/plain; charset=utf-8\n";
    head += "Content-Transfer-Encoding: quoted-printable\n";

    OooReply reply;
    reply.mail_from = facts.envelope_sender_is_mailbox ? mailbox : std::string();
    reply.rcpt_to = rcpt;
    reply.message = to_crlf(head + "\n" + encode_quoted_printable(body_text(facts.ooo_body)));
    return reply;
}

}  // namespace boxwarden
