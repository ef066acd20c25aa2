#include "boxwarden/mail_header.h"

#include <iconv.h>
#include <sodium.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace boxwarden {

namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kHex = "0123456789ABCDEF";
constexpr std::string_view kLowerHex = "0123456789abcdef";

bool is_control(char32_t c) {
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

bool is_bidi_control(char32_t c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool is_space_like(char32_t c) {
    return c == ' ' || c == '\t' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Shared by display names and unstructured values; see sanitize_display_name().
std::string sanitize(std::string_view text, std::size_t max_bytes) {
    std::string out;
    bool pending_space = false;
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Step step = decode_utf8_at(text, pos);
        pos += step.length;
        const char32_t c = step.code_point;
        if (is_space_like(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (is_control(c) || is_bidi_control(c)) continue;
        std::string encoded;
        if (pending_space) encoded += ' ';
        append_utf8(encoded, c);
        if (out.size() + encoded.size() > max_bytes) break;
        out += encoded;
        pending_space = false;
    }
    return out;
}

bool is_printable_ascii(std::string_view text) {
    for (const char ch : text) {
        if (ch < 0x20 || ch > 0x7E) return false;
    }
    return true;
}

bool is_rfc5322_special(char ch) {
    return std::string_view("()<>[]:;@\\,.\"").find(ch) != std::string_view::npos;
}

void require_header_name(std::string_view name) {
    if (name.empty()) throw std::invalid_argument("header name is empty");
    for (const char ch : name) {
        if (ch < 33 || ch > 126 || ch == ':') {
            throw std::invalid_argument("header name contains a character not allowed there");
        }
    }
}

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) |
                           (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
        out += kBase64Alphabet[(v >> 18) & 63];
        out += kBase64Alphabet[(v >> 12) & 63];
        out += kBase64Alphabet[(v >> 6) & 63];
        out += kBase64Alphabet[v & 63];
    }
    if (i + 1 == bytes.size()) {
        const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
        out += kBase64Alphabet[(v >> 18) & 63];
        out += kBase64Alphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const uint32_t v =
            (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
        out += kBase64Alphabet[(v >> 18) & 63];
        out += kBase64Alphabet[(v >> 12) & 63];
        out += kBase64Alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// Strict alphabet; padding optional but only at the end.
std::optional<std::string> base64_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (const char ch : text) {
        const std::size_t index = kBase64Alphabet.find(ch);
        if (index == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 6) | uint32_t(index);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

int hex_value(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

std::string make_encoded_word(std::string_view utf8) {
    return "=?UTF-8?B?" + base64_encode(utf8) + "?=";
}

// Payload bytes that fit an encoded-word of at most `room` characters.
std::size_t payload_for_room(std::size_t room) {
    constexpr std::size_t kOverhead = 12;  // "=?UTF-8?B?" + "?="
    if (room > kMaxEncodedWordLength) room = kMaxEncodedWordLength;
    if (room <= kOverhead) return 0;
    return (room - kOverhead) / 4 * 3;
}

// UTF-8 text as encoded-words: the first fits the line that is at
// `first_column` (or starts a continuation line if nothing fits), the others
// go one per continuation line. Returns the folded text and the end column.
std::pair<std::string, std::size_t> encode_words_folded(std::string_view text,
                                                        std::size_t first_column) {
    std::string out;
    std::size_t column = first_column;
    std::size_t pos = 0;
    bool first = true;
    const auto room = [&] {
        return column < kMaxHeaderLineLength ? kMaxHeaderLineLength - column : 0;
    };
    while (pos < text.size()) {
        std::size_t budget = payload_for_room(room());
        if (!first || budget < decode_utf8_at(text, pos).length) {
            out += "\n ";
            column = 1;
            budget = payload_for_room(room());
        }
        std::size_t end = pos;
        while (end < text.size()) {
            const std::size_t length = decode_utf8_at(text, end).length;
            if (end + length - pos > budget) break;
            end += length;
        }
        // Split before a space when there is one: decoders that wrongly keep
        // the folding whitespace between words then show a double space
        // rather than a space inside a word.
        if (end < text.size() && text[end] != ' ') {
            const std::size_t space = text.rfind(' ', end - 1);
            if (space != std::string_view::npos && space > pos) end = space;
        }
        const std::string word = make_encoded_word(text.substr(pos, end - pos));
        out += word;
        column += word.size();
        pos = end;
        first = false;
    }
    return {out, column};
}

// Greedy folding of space-separated words; nullopt if one of the first
// `must_fit_count` words cannot fit within 78 columns.
std::optional<std::string> fold_words(const std::vector<std::string>& words,
                                      std::size_t first_column, std::size_t must_fit_count) {
    std::string out;
    std::size_t column = first_column;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (i > 0) {
            if (column + 1 + word.size() <= kMaxHeaderLineLength) {
                out += ' ';
                column += 1;
            } else {
                out += "\n ";
                column = 1;
            }
        }
        out += word;
        column += word.size();
        if (column > kMaxHeaderLineLength && i < must_fit_count) return std::nullopt;
    }
    return out;
}

std::vector<std::string> split_spaces(std::string_view text) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t space = text.find(' ', start);
        words.emplace_back(text.substr(start, space - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    return words;
}

std::string quote_phrase(std::string_view name) {
    std::string out = "\"";
    for (const char ch : name) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    out += '"';
    return out;
}

// --- RFC 2047 decoding -----------------------------------------------------

struct EncodedWord {
    std::string charset;  // upper-cased, "*language" removed
    std::string bytes;    // decoded, still in `charset`
    std::size_t end;      // index after "?="
};

std::string upper_ascii(std::string_view text) {
    std::string out(text);
    for (char& ch : out) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return out;
}

bool is_utf8_label(const std::string& charset) {
    return charset == "UTF-8" || charset == "UTF8";
}

// WHATWG Encoding: these labels are decoded as windows-1252, which is what
// senders mean in practice (0x80-0x9F are never C1 controls in mail).
std::string iconv_charset_for(const std::string& charset) {
    if (charset == "ISO-8859-1" || charset == "ISO8859-1" || charset == "LATIN1" ||
        charset == "US-ASCII" || charset == "ASCII" || charset == "CP1252") {
        return "WINDOWS-1252";
    }
    return charset;
}

bool charset_known(const std::string& charset) {
    if (is_utf8_label(charset)) return true;
    const iconv_t cd = iconv_open("UTF-8", iconv_charset_for(charset).c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    iconv_close(cd);
    return true;
}

std::string convert_to_utf8(const std::string& charset, const std::string& bytes) {
    if (is_utf8_label(charset)) return to_valid_utf8(bytes);
    const iconv_t cd = iconv_open("UTF-8", iconv_charset_for(charset).c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return to_valid_utf8(bytes);
    std::string out;
    std::string input = bytes;
    char* in = input.data();
    std::size_t in_left = input.size();
    std::array<char, 256> buffer{};
    while (in_left > 0) {
        char* out_ptr = buffer.data();
        std::size_t out_left = buffer.size();
        const std::size_t rc = iconv(cd, &in, &in_left, &out_ptr, &out_left);
        out.append(buffer.data(), buffer.size() - out_left);
        if (rc != static_cast<std::size_t>(-1)) break;
        if (errno == E2BIG) continue;
        append_utf8(out, kReplacementCharacter);
        if (errno == EINVAL) break;  // incomplete sequence at the end
        ++in;                        // EILSEQ: skip the offending byte
        --in_left;
    }
    iconv_close(cd);
    return to_valid_utf8(out);
}

std::optional<EncodedWord> parse_encoded_word(std::string_view text, std::size_t start) {
    if (text.substr(start, 2) != "=?") return std::nullopt;
    const std::size_t charset_end = text.find('?', start + 2);
    if (charset_end == std::string_view::npos || charset_end == start + 2) return std::nullopt;
    std::string_view charset = text.substr(start + 2, charset_end - start - 2);
    for (const char ch : charset) {
        if (ch <= ' ' || ch > '~') return std::nullopt;
    }
    charset = charset.substr(0, charset.find('*'));
    if (charset.empty()) return std::nullopt;
    if (charset_end + 2 >= text.size() || text[charset_end + 2] != '?') return std::nullopt;
    const char encoding = text[charset_end + 1];
    const std::size_t text_start = charset_end + 3;
    const std::size_t text_end = text.find('?', text_start);
    if (text_end == std::string_view::npos || text_end + 1 >= text.size() ||
        text[text_end + 1] != '=') {
        return std::nullopt;
    }
    const std::string_view encoded = text.substr(text_start, text_end - text_start);
    for (const char ch : encoded) {
        if (ch <= ' ' || ch > '~') return std::nullopt;
    }
    EncodedWord word;
    word.charset = upper_ascii(charset);
    word.end = text_end + 2;
    if (encoding == 'B' || encoding == 'b') {
        auto decoded = base64_decode(encoded);
        if (!decoded) return std::nullopt;
        word.bytes = std::move(*decoded);
    } else if (encoding == 'Q' || encoding == 'q') {
        for (std::size_t i = 0; i < encoded.size(); ++i) {
            const char ch = encoded[i];
            if (ch == '_') {
                word.bytes += ' ';
            } else if (ch == '=') {
                if (i + 2 >= encoded.size()) return std::nullopt;
                const int high = hex_value(encoded[i + 1]);
                const int low = hex_value(encoded[i + 2]);
                if (high < 0 || low < 0) return std::nullopt;
                word.bytes += static_cast<char>(high * 16 + low);
                i += 2;
            } else {
                word.bytes += ch;
            }
        }
    } else {
        return std::nullopt;
    }
    if (!charset_known(word.charset)) return std::nullopt;
    return word;
}

std::string unfold(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 2 < text.size() && text[i + 1] == '\n' &&
            (text[i + 2] == ' ' || text[i + 2] == '\t')) {
            ++i;
            continue;
        }
        if (text[i] == '\n' && i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\t')) {
            continue;
        }
        out += text[i];
    }
    return out;
}

}  // namespace

std::string sanitize_display_name(std::string_view name) {
    return sanitize(name, kMaxDisplayNameBytes);
}

std::string format_address_header(std::string_view display_name, std::string_view address,
                                  std::string_view header_name) {
    require_header_name(header_name);
    if (!is_valid_address_syntax(address)) {
        throw std::invalid_argument("not a valid mail address: " + to_valid_utf8(address));
    }
    // Appended piecewise: g++ 12 -O3 misreads `"<" + std::string(...)` as
    // an overlapping memcpy (a known g++ 12 -Wrestrict false positive).
    std::string angle;
    angle.reserve(address.size() + 2);
    angle.append(1, '<').append(address).append(1, '>');
    const std::string name = sanitize_display_name(display_name);
    if (name.empty()) return angle;
    const std::size_t first_column = header_name.size() + 2;  // "From: "

    const bool plain = is_printable_ascii(name) && name.find("=?") == std::string::npos;
    if (plain) {
        bool special = false;
        for (const char ch : name) special = special || is_rfc5322_special(ch);
        std::vector<std::string> words = split_spaces(special ? quote_phrase(name) : name);
        const std::size_t phrase_words = words.size();
        words.push_back(angle);
        if (auto folded = fold_words(words, first_column, phrase_words)) return *folded;
    }
    auto [out, column] = encode_words_folded(name, first_column);
    if (column + 1 + angle.size() <= kMaxHeaderLineLength) {
        out += ' ';
    } else {
        out += "\n ";
    }
    out += angle;
    return out;
}

std::string encode_unstructured_header(std::string_view name, std::string_view utf8_value) {
    require_header_name(name);
    const std::string value = sanitize(utf8_value, kMaxUnstructuredBytes);
    const std::string prefix = std::string(name) + ": ";
    if (value.empty()) return prefix;
    const std::size_t first_column = prefix.size();
    if (is_printable_ascii(value) && value.find("=?") == std::string::npos) {
        const std::vector<std::string> words = split_spaces(value);
        if (auto folded = fold_words(words, first_column, words.size())) return prefix + *folded;
    }
    return prefix + encode_words_folded(value, first_column).first;
}

std::string decode_rfc2047(std::string_view value) {
    const std::string text = unfold(value);
    std::string out;
    std::string raw;  // plain text not yet validated
    // A run of adjacent encoded-words in one charset; a plain struct rather
    // than std::optional keeps g++ 12's -Wmaybe-uninitialized quiet.
    bool has_pending = false;
    std::string pending_charset;
    std::string pending_bytes;
    std::string pending_space;  // whitespace after the pending run

    const auto flush_pending = [&] {
        if (has_pending) out += convert_to_utf8(pending_charset, pending_bytes);
        has_pending = false;
        pending_bytes.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        if (auto word = parse_encoded_word(text, i)) {
            out += to_valid_utf8(raw);
            raw.clear();
            i = word->end;
            if (!has_pending || pending_charset != word->charset) {
                flush_pending();
                has_pending = true;
                pending_charset = word->charset;
            }
            pending_bytes += word->bytes;  // joined: a character may span words
            pending_space.clear();
            continue;
        }
        const char ch = text[i];
        if (has_pending && (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')) {
            pending_space += ch;
            ++i;
            continue;
        }
        flush_pending();
        raw += pending_space;
        pending_space.clear();
        raw += ch;
        ++i;
    }
    flush_pending();
    raw += pending_space;
    out += to_valid_utf8(raw);
    return out;
}

std::string make_message_id(std::string_view domain) {
    if (!is_valid_host_name(domain)) {
        throw std::invalid_argument("not a valid domain for a Message-ID: " +
                                    to_valid_utf8(domain));
    }
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    std::array<unsigned char, 16> random{};
    randombytes_buf(random.data(), random.size());
    std::string id = "<";
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    char time_hex[32];
    std::snprintf(time_hex, sizeof time_hex, "%llx", static_cast<unsigned long long>(seconds));
    id += time_hex;
    id += '.';
    for (const unsigned char b : random) {
        id += kLowerHex[b >> 4];
        id += kLowerHex[b & 15];
    }
    id += '@';
    id += domain;
    id += '>';
    return id;
}

std::string format_rfc5322_date(std::chrono::system_clock::time_point time) {
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                         "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    // Floor to whole seconds so times before 1970 do not round up.
    const auto seconds = std::chrono::floor<std::chrono::seconds>(time.time_since_epoch());
    const std::time_t t = static_cast<std::time_t>(seconds.count());
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) throw std::invalid_argument("time out of range");
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  kDays[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                  kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buffer;
}

std::string encode_quoted_printable(std::string_view text) {
    std::string out;
    std::size_t line_start = 0;
    while (line_start <= text.size()) {
        const std::size_t newline = text.find('\n', line_start);
        const bool has_newline = newline != std::string_view::npos;
        const std::string_view line =
            text.substr(line_start, has_newline ? newline - line_start : std::string_view::npos);
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto b = static_cast<unsigned char>(line[i]);
            const bool last = i + 1 == line.size();
            const bool literal =
                ((b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !last));
            std::string token;
            if (literal) {
                token = static_cast<char>(b);
            } else {
                token = {'=', kHex[b >> 4], kHex[b & 15]};
            }
            // Room for the "=" of a soft break unless this ends the line.
            const std::size_t limit = last ? 76 : 75;
            if (column + token.size() > limit) {
                out += "=\n";
                column = 0;
            }
            if (column == 0 && token == ".") token = "=2E";
            out += token;
            column += token.size();
        }
        if (!has_newline) break;
        out += '\n';
        line_start = newline + 1;
    }
    return out;
}

std::string decode_quoted_printable(std::string_view encoded) {
    std::string out;
    std::size_t line_start = 0;
    while (line_start <= encoded.size()) {
        const std::size_t newline = encoded.find('\n', line_start);
        const bool has_newline = newline != std::string_view::npos;
        std::string_view line =
            encoded.substr(line_start, has_newline ? newline - line_start : std::string_view::npos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        bool soft_break = false;
        if (!line.empty() && line.back() == '=') {
            soft_break = true;
            line.remove_suffix(1);
        }
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '=' && i + 2 < line.size()) {
                const int high = hex_value(line[i + 1]);
                const int low = hex_value(line[i + 2]);
                if (high >= 0 && low >= 0) {
                    out += static_cast<char>(high * 16 + low);
                    i += 2;
                    continue;
                }
            }
            out += line[i];
        }
        if (!has_newline) break;
        if (!soft_break) out += '\n';
        line_start = newline + 1;
    }
    return out;
}

}  // namespace boxwarden
