#include "boxwarden/address.h"

#include "boxwarden/text_trim.h"

#include <algorithm>

namespace boxwarden {

namespace {

bool is_atext(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return specials.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_ldh(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

std::string ascii_lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

namespace {

// `"local"@domain` -> `local@domain` (backslash escapes resolved), as
// Postfix's internal form has it; anything else is copied unchanged.
void unquote_local_part_into(std::string_view s, std::string& out) {
    out.clear();
    if (s.empty() || s.front() != '"') {
        out.assign(s);
        return;
    }
    for (size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            out += s[++i];
        } else if (s[i] == '"') {
            if (i + 1 < s.size() && s[i + 1] == '@') {
                out.append(s.substr(i + 1));
                return;
            }
            break;
        } else {
            out += s[i];
        }
    }
    out.assign(s);
}

}  // namespace

std::string normalize_address(std::string_view raw) {
    std::string out;
    normalize_address_into(raw, out);
    return out;
}

void normalize_address_into(std::string_view raw, std::string& out) {
    std::string_view s = trim(raw, kWhitespace);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>')
        s = trim(s.substr(1, s.size() - 2), kWhitespace);
    // A source route ("@relay:user@domain") is ignored, as RFC 5321 4.1.1.3
    // asks and Postfix does.
    if (!s.empty() && s.front() == '@') {
        const size_t colon = s.find(':');
        if (colon != std::string_view::npos) s.remove_prefix(colon + 1);
    }
    unquote_local_part_into(s, out);
    // One trailing dot of the domain is dropped, as trivial-rewrite does
    // ("user@example.de." is delivered to user@example.de), but not "..", "@.".
    if (out.size() >= 2 && out.back() == '.' && out[out.size() - 2] != '.' &&
        out[out.size() - 2] != '@' && out.find('@') != std::string::npos)
        out.pop_back();
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

std::optional<std::string> local_part_problem(std::string_view lp) {
    if (lp.empty()) return "the local part is empty";
    if (lp.size() > 64)
        return "the local part has " + std::to_string(lp.size()) + " octets (at most 64)";
    if (lp.front() == '.' || lp.back() == '.' || lp.find("..") != std::string_view::npos)
        return "the local part may not start or end with a dot or have two dots in a row";
    for (unsigned char c : lp) {
        if (c != '.' && !is_atext(c))
            return "the local part has a character outside RFC 5321 dot-atom (a-z 0-9 ! # $ % & ' "
                   "* + - / = ? ^ _ ` { | } ~ and inner dots)";
    }
    return std::nullopt;
}

namespace {

bool is_valid_label(std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
    for (unsigned char c : label)
        if (!is_ldh(c)) return false;
    return true;
}

// Calls f(label) for each dot-separated label; false as soon as f is.
template <typename F>
bool each_label(std::string_view d, F f) {
    size_t start = 0;
    while (true) {
        const size_t end = d.find('.', start);
        if (!f(d.substr(start, end == std::string_view::npos ? end : end - start))) return false;
        if (end == std::string_view::npos) return true;
        start = end + 1;
    }
}

}  // namespace

std::optional<std::string> domain_problem(std::string_view d) {
    if (d.empty()) return "the domain name is empty";
    if (d.size() > 253)
        return "the domain name has " + std::to_string(d.size()) + " octets (at most 253)";
    size_t labels = 0;
    const bool valid = each_label(d, [&](std::string_view label) {
        ++labels;
        return is_valid_label(label);
    });
    if (!valid || labels < 2)
        return "a domain name is two or more dot-separated labels of a-z, 0-9 and inner hyphens, "
               "each at most 63 octets (IDNs in xn-- form)";
    return std::nullopt;
}

bool is_valid_address_syntax(std::string_view address) {
    if (address.size() > 254) return false;
    const size_t at = address.rfind('@');
    if (at == std::string_view::npos) return false;
    const std::string lowered = ascii_lowercase(address);
    const std::string_view domain = std::string_view(lowered).substr(at + 1);
    if (local_part_problem(std::string_view(lowered).substr(0, at)) || domain_problem(domain))
        return false;
    const std::string_view top = domain.substr(domain.rfind('.') + 1);
    return top.find_first_not_of("0123456789") != std::string_view::npos;
}

bool is_valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    const std::string lowered = ascii_lowercase(host);
    return each_label(lowered, is_valid_label);
}

std::optional<MailAddress> parse_mail_address(std::string_view raw) {
    const std::string a = normalize_address(raw);
    const size_t at = a.rfind('@');
    if (at == std::string::npos) return std::nullopt;
    MailAddress m{a.substr(0, at), a.substr(at + 1)};
    if (local_part_problem(m.local_part) || domain_problem(m.domain)) return std::nullopt;
    return m;
}

std::optional<std::string> address_problem(std::string_view raw) {
    const std::string a = normalize_address(raw);
    const size_t at = a.rfind('@');
    if (at == std::string::npos) return "an address is local-part@domain";
    if (auto p = local_part_problem(std::string_view(a).substr(0, at))) return p;
    if (auto p = domain_problem(std::string_view(a).substr(at + 1))) return p;
    return std::nullopt;
}

std::vector<std::string> mailbox_lookup_keys(const MailAddress& address,
                                             std::string_view delimiters) {
    std::vector<std::string> keys{address.str()};
    const std::string stripped = strip_address_extension(keys.front(), delimiters);
    if (stripped != keys.front() && parse_mail_address(stripped)) keys.push_back(stripped);
    return keys;
}

std::string strip_address_extension(std::string_view address, std::string_view delimiters) {
    const size_t at = address.rfind('@');
    if (at == std::string_view::npos || delimiters.empty()) return std::string(address);
    const std::string_view local = address.substr(0, at);
    const size_t cut = local.find_first_of(delimiters);
    if (cut == std::string_view::npos || cut == 0) return std::string(address);
    return std::string(local.substr(0, cut)) + std::string(address.substr(at));
}

}  // namespace boxwarden
