#include "boxwarden/rfc2047.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>
#include <utility>

#include "boxwarden/binary_text.h"
#include "boxwarden/utf8.h"

namespace boxwarden {

namespace {

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
        auto decoded = from_base64(encoded);
        if (!decoded) return std::nullopt;
        word.bytes = std::move(*decoded);
    } else if (encoding == 'Q' || encoding == 'q') {
        for (std::size_t i = 0; i < encoded.size(); ++i) {
            const char ch = encoded[i];
            if (ch == '_') {
                word.bytes += ' ';
            } else if (ch == '=') {
                if (i + 2 >= encoded.size()) return std::nullopt;
                const auto byte = decode_hex_pair(encoded[i + 1], encoded[i + 2]);
                if (!byte) return std::nullopt;
                word.bytes += static_cast<char>(*byte);
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

}  // namespace boxwarden
