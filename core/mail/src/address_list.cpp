#include "boxwarden/address_list.h"

#include <optional>
#include <utility>

namespace boxwarden {

namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

// RFC 5322 atext, plus every byte >= 0x80 (RFC 6532 UTF-8 in headers).
bool is_atext(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    if (c >= 0x80) return true;
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return specials.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_control(unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

bool is_dot_atom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '.') {
            if (s[i + 1] == '.') return false;
        } else if (!is_atext(c)) {
            return false;
        }
    }
    return true;
}

std::string lowercase_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

struct Word {
    enum class Kind { Atom, Quoted, Dot } kind;
    std::string text;  // atom text, quoted content (pairs resolved), or "."
    bool space_before;
    std::size_t offset;
};

class Parser {
  public:
    Parser(std::string_view text, bool allow_groups, const AddressListLimits& limits)
        : s_(text), allow_groups_(allow_groups), limits_(limits) {}

    AddressListResult run() {
        AddressListResult result;
        if (parse_list()) {
            result.mailboxes = std::move(mailboxes_);
            return result;
        }
        result.ok = false;
        result.error_kind = error_kind_;
        result.error_offset = error_at_;
        result.error = std::move(error_);
        return result;
    }

  private:
    bool at_end() const { return i_ >= s_.size(); }
    char peek() const { return s_[i_]; }

    bool fail(std::size_t at, std::string message,
              AddressListErrorKind kind = AddressListErrorKind::Syntax) {
        error_at_ = at;
        error_ = std::move(message);
        error_kind_ = kind;
        return false;
    }

    // White space and (nested) comments; `skipped` tells whether any was.
    bool skip_cfws(bool& skipped) {
        skipped = false;
        while (!at_end()) {
            if (is_wsp(peek())) {
                ++i_;
                skipped = true;
                continue;
            }
            if (peek() != '(') return true;
            const std::size_t start = i_;
            std::size_t depth = 0;
            while (true) {
                if (at_end()) return fail(start, "comment not closed with ')'");
                const char c = s_[i_++];
                if (c == '\\') {
                    if (at_end()) return fail(start, "comment not closed with ')'");
                    ++i_;
                } else if (c == '(') {
                    ++depth;
                } else if (c == ')') {
                    if (--depth == 0) break;
                }
            }
            skipped = true;
        }
        return true;
    }

    bool skip_cfws() {
        bool skipped = false;
        return skip_cfws(skipped);
    }

    bool read_quoted(std::string& out) {
        const std::size_t start = i_;
        ++i_;  // opening quote
        while (true) {
            if (at_end()) return fail(start, "quoted string not closed with '\"'");
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c == '\\') {
                if (i_ + 1 >= s_.size()) return fail(start, "quoted string not closed with '\"'");
                const auto next = static_cast<unsigned char>(s_[i_ + 1]);
                if (is_control(next)) return fail(i_ + 1, "control character in a quoted string");
                out += static_cast<char>(next);
                i_ += 2;
                continue;
            }
            if (is_control(c)) return fail(i_, "control character in a quoted string");
            out += static_cast<char>(c);
            ++i_;
        }
    }

    // word / "." sequence (obs-phrase, obs-local-part); stops at anything
    // else, after the CFWS before it.
    bool read_words(std::vector<Word>& words) {
        while (true) {
            bool space = false;
            if (!skip_cfws(space)) return false;
            if (at_end()) return true;
            const std::size_t start = i_;
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                std::string content;
                if (!read_quoted(content)) return false;
                words.push_back({Word::Kind::Quoted, std::move(content), space, start});
            } else if (c == '.') {
                ++i_;
                words.push_back({Word::Kind::Dot, ".", space, start});
            } else if (is_atext(c)) {
                while (!at_end() && is_atext(static_cast<unsigned char>(peek()))) ++i_;
                words.push_back(
                    {Word::Kind::Atom, std::string(s_.substr(start, i_ - start)), space, start});
            } else {
                return true;
            }
        }
    }

    static std::string phrase_text(const std::vector<Word>& words) {
        std::string joined;
        for (const Word& w : words) {
            if (!joined.empty() && w.space_before) joined += ' ';
            joined += w.text;
        }
        return decode_rfc2047(joined);
    }

    bool local_part(const std::vector<Word>& words, std::string& out) {
        std::string content;
        bool quoted = false;
        bool expect_word = true;
        for (const Word& w : words) {
            if (w.kind == Word::Kind::Dot) {
                if (expect_word) return fail(w.offset, "misplaced '.' in a local part");
                content += '.';
                expect_word = true;
            } else {
                if (!expect_word) return fail(w.offset, "expected '.' or '@' in a local part");
                quoted = quoted || w.kind == Word::Kind::Quoted;
                content += w.text;
                expect_word = false;
            }
        }
        if (words.empty()) return fail(i_, "missing local part before '@'");
        if (expect_word) return fail(words.back().offset, "misplaced '.' in a local part");
        if (!quoted || is_dot_atom(content)) {
            out = std::move(content);
            return true;
        }
        // assign(1, c), not = "\"": g++ 12 -O3 -Wrestrict false positive.
        out.assign(1, '"');
        for (const char c : content) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
        return true;
    }

    // After '@': dot-atom / obs-domain (CFWS around dots) / domain-literal.
    bool domain(std::string& out) {
        if (!skip_cfws()) return false;
        if (!at_end() && peek() == '[') {
            const std::size_t start = i_;
            out.assign(1, '[');
            ++i_;
            while (true) {
                if (at_end()) return fail(start, "domain literal not closed with ']'");
                const auto c = static_cast<unsigned char>(s_[i_]);
                if (c == ']') break;
                if (c == '[' || is_control(c))
                    return fail(i_, "character not allowed in a domain literal");
                if (c == '\\') {
                    if (i_ + 1 >= s_.size() || is_control(static_cast<unsigned char>(s_[i_ + 1])))
                        return fail(i_, "character not allowed in a domain literal");
                    out += s_[i_ + 1];
                    i_ += 2;
                    continue;
                }
                if (!is_wsp(static_cast<char>(c))) out += static_cast<char>(c);
                ++i_;
            }
            ++i_;
            out += ']';
            out = lowercase_ascii(out);
            return true;
        }
        const auto read_atom = [&] {
            const std::size_t start = i_;
            while (!at_end() && is_atext(static_cast<unsigned char>(peek()))) ++i_;
            return s_.substr(start, i_ - start);
        };
        const std::string_view first = read_atom();
        if (first.empty()) return fail(i_, "missing domain after '@'");
        out = first;
        while (true) {
            const std::size_t before = i_;
            if (!skip_cfws()) return false;
            if (at_end() || peek() != '.') {
                i_ = before;  // the CFWS belongs to what follows
                break;
            }
            ++i_;
            const std::size_t after_dot = i_;
            if (!skip_cfws()) return false;
            const std::string_view label = read_atom();
            if (label.empty()) {
                i_ = after_dot;  // a trailing dot ends the domain; it is dropped
                break;
            }
            out += '.';
            out += label;
        }
        out = lowercase_ascii(out);
        return true;
    }

    // From '<' to after '>'.
    bool angle_addr(std::string& address) {
        const std::size_t open = i_;
        ++i_;
        if (!skip_cfws()) return false;
        if (!at_end() && peek() == '@') {  // obs-route, dropped
            while (true) {
                ++i_;  // '@'
                std::string ignored;
                if (!domain(ignored)) return false;
                if (!skip_cfws()) return false;
                bool more = false;
                while (!at_end() && (peek() == ',' || is_wsp(peek()) || peek() == '(')) {
                    if (peek() == ',') {
                        ++i_;
                        more = true;
                    } else if (!skip_cfws()) {
                        return false;
                    }
                }
                if (at_end()) return fail(open, "address not closed with '>'");
                if (peek() == ':') {
                    ++i_;
                    break;
                }
                if (!more || peek() != '@') return fail(i_, "expected ',' or ':' in a route");
            }
        }
        std::vector<Word> words;
        if (!read_words(words)) return false;
        if (at_end()) return fail(open, "address not closed with '>'");
        if (peek() == '>' && words.empty()) return fail(open, "empty address <>");
        if (peek() != '@') {
            if (words.empty()) return fail(i_, "unexpected character in an address");
            return fail(i_, "expected '@' in an address");
        }
        std::string local;
        if (!local_part(words, local)) return false;
        ++i_;  // '@'
        std::string dom;
        if (!domain(dom)) return false;
        if (!skip_cfws()) return false;
        if (at_end()) return fail(open, "address not closed with '>'");
        if (peek() != '>') return fail(i_, "expected '>' after the address");
        ++i_;
        address = local + "@" + dom;
        return true;
    }

    bool add(std::string display_name, std::string address) {
        if (mailboxes_.size() >= limits_.max_addresses) {
            return fail(i_, "more than " + std::to_string(limits_.max_addresses) + " addresses",
                        AddressListErrorKind::TooManyAddresses);
        }
        mailboxes_.push_back({std::move(display_name), std::move(address), group_});
        return true;
    }

    // One mailbox or the start of a group; returns with i_ after it.
    bool element(bool& opened_group) {
        opened_group = false;
        const std::size_t start = i_;
        std::vector<Word> words;
        if (!read_words(words)) return false;
        if (at_end()) {
            return fail(words.empty() ? start : i_,
                        "expected '@', '<' or ':' after a name (an address is local@domain)");
        }
        const char c = peek();
        if (c == '<') {
            std::string address;
            if (!angle_addr(address)) return false;
            return add(words.empty() ? std::string() : phrase_text(words), std::move(address));
        }
        if (c == ':') {
            if (!allow_groups_) return fail(i_, "a group is not allowed in a mailbox list");
            if (in_group_) return fail(i_, "a group inside a group");
            if (words.empty()) return fail(i_, "a group needs a name before ':'");
            group_ = phrase_text(words);
            in_group_ = true;
            opened_group = true;
            ++i_;
            return true;
        }
        if (c == '@') {
            std::string local;
            if (!local_part(words, local)) return false;
            ++i_;
            std::string dom;
            if (!domain(dom)) return false;
            return add(std::string(), local + "@" + dom);
        }
        if (is_control(static_cast<unsigned char>(c)))
            return fail(i_, "control character in an address list");
        if (words.empty()) return fail(i_, "unexpected character in an address list");
        return fail(i_, "expected '@', '<' or ':' after a name (an address is local@domain)");
    }

    bool parse_list() {
        while (true) {
            if (!skip_cfws()) return false;
            if (at_end()) break;
            if (peek() == ',') {  // obs-addr-list: empty elements
                ++i_;
                continue;
            }
            if (peek() == ';') {
                if (!in_group_) return fail(i_, "';' outside a group");
                in_group_ = false;
                group_.clear();
                ++i_;
            } else {
                bool opened_group = false;
                if (!element(opened_group)) return false;
                if (opened_group) continue;
            }
            if (!skip_cfws()) return false;
            if (at_end()) break;
            if (peek() == ',') {
                ++i_;
            } else if (peek() == ';' && !in_group_) {
                return fail(i_, "';' outside a group");
            } else if (peek() != ';') {
                return fail(i_, "expected ',' between addresses");
            }
        }
        // "undisclosed-recipients:" without ';' is common; the group ends here.
        return true;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    bool allow_groups_;
    AddressListLimits limits_;
    bool in_group_ = false;
    std::string group_;
    std::vector<HeaderMailbox> mailboxes_;
    std::size_t error_at_ = 0;
    std::string error_;
    AddressListErrorKind error_kind_ = AddressListErrorKind::Syntax;
};

// Removes folding (CRLF or LF before WSP) and one final line end; nullopt
// with the offset of a line break that is not folding.
std::optional<std::string> unfold_field(std::string_view raw, std::size_t& bad_at) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\r' && c != '\n') {
            out += c;
            continue;
        }
        const std::size_t lf = (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ? i + 1 : i;
        if (raw[lf] == '\n' && lf + 1 < raw.size() && is_wsp(raw[lf + 1])) {
            i = lf;
            continue;
        }
        if (raw[lf] == '\n' && lf + 1 == raw.size()) break;
        bad_at = i;
        return std::nullopt;
    }
    return out;
}

AddressListResult parse(std::string_view field_value, bool allow_groups,
                        const AddressListLimits& limits) {
    AddressListResult result;
    if (field_value.size() > limits.max_bytes) {
        result.ok = false;
        result.error_kind = AddressListErrorKind::TooLong;
        result.error_offset = limits.max_bytes;
        result.error = "field value has " + std::to_string(field_value.size()) +
                       " bytes (at most " + std::to_string(limits.max_bytes) + ")";
        return result;
    }
    std::size_t bad_at = 0;
    const std::optional<std::string> unfolded = unfold_field(field_value, bad_at);
    if (!unfolded) {
        result.ok = false;
        result.error_offset = bad_at;
        result.error = "line break not followed by white space";
        return result;
    }
    return Parser(*unfolded, allow_groups, limits).run();
}

}  // namespace

AddressListResult parse_address_list(std::string_view field_value,
                                     const AddressListLimits& limits) {
    return parse(field_value, true, limits);
}

AddressListResult parse_mailbox_list(std::string_view field_value,
                                     const AddressListLimits& limits) {
    return parse(field_value, false, limits);
}

bool names_mailbox(std::string_view header_address, std::string_view mailbox,
                   std::string_view delimiters) {
    const std::string header = lowercase_ascii(header_address);
    const std::string target = lowercase_ascii(mailbox);
    if (header.empty() || target.empty()) return false;
    return header == target || strip_address_extension(header, delimiters) == target;
}

}  // namespace boxwarden
