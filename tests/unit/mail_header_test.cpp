#include "boxwarden/mail_header.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace boxwarden {
namespace {

const std::string kReplacementChar = "\xEF\xBF\xBD";
const std::string kEmoji = "\xF0\x9F\x98\x80";  // U+1F600

bool valid_utf8(std::string_view s) {
    for (size_t pos = 0; pos < s.size();) {
        const Utf8Step step = decode_utf8_at(s, pos);
        if (!step.valid) return false;
        pos += step.length;
    }
    return true;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (true) {
        const size_t nl = text.find('\n', start);
        lines.push_back(text.substr(start, nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return lines;
}

// A header line as it would be written: no CR, NUL or controls, every LF
// starts a continuation line, every line at most 78 characters.
void expect_safe_header(const std::string& line, size_t max_length = 78) {
    for (size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c == '\n') {
            ASSERT_LT(i + 1, line.size()) << line;
            EXPECT_EQ(line[i + 1], ' ') << line;
            continue;
        }
        EXPECT_TRUE(c >= 0x20 && c < 0x7F) << "byte " << int(c) << " in " << line;
    }
    for (const auto& l : lines_of(line)) EXPECT_LE(l.size(), max_length) << line;
}

std::string unfold(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') continue;
        out += text[i];
    }
    return out;
}

// Every encoded-word: at most 75 characters and valid UTF-8 on its own.
void expect_good_encoded_words(const std::string& text) {
    const std::string open = "=?UTF-8?B?";
    int count = 0;
    for (size_t start = text.find(open); start != std::string::npos;
         start = text.find(open, start + 1)) {
        const size_t end = text.find("?=", start + open.size());
        ASSERT_NE(end, std::string::npos) << text;
        const std::string word = text.substr(start, end + 2 - start);
        ++count;
        EXPECT_LE(word.size(), 75u);
        const std::string decoded = decode_rfc2047(word);
        EXPECT_NE(decoded, word) << "not decodable: " << word;
        EXPECT_TRUE(valid_utf8(decoded));
        EXPECT_EQ(decoded.find(kReplacementChar), std::string::npos) << word;
    }
    EXPECT_GT(count, 0) << text;
}

bool is_hex(std::string_view s, std::string_view digits = "0123456789abcdef") {
    return !s.empty() && s.find_first_not_of(digits) == std::string_view::npos;
}

// "<hex.32hex@domain>"
bool is_message_id_for(const std::string& id, const std::string& domain) {
    const std::string tail = "@" + domain + ">";
    if (id.size() < tail.size() + 1 || id.front() != '<' || !id.ends_with(tail)) return false;
    const std::string local = id.substr(1, id.size() - 1 - tail.size());
    const size_t dot = local.find('.');
    return dot != std::string::npos && is_hex(local.substr(0, dot)) &&
           local.size() - dot - 1 == 32 && is_hex(local.substr(dot + 1));
}

// --- decode_utf8_at / to_valid_utf8 ---------------------------------------

TEST(Utf8, DecodesAndRejects) {
    EXPECT_EQ(decode_utf8_at("\xC3\xA4", 0).code_point, U'\u00E4');
    EXPECT_EQ(decode_utf8_at(kEmoji, 0).code_point, U'\U0001F600');
    EXPECT_EQ(decode_utf8_at(kEmoji, 0).length, 4u);
    EXPECT_FALSE(decode_utf8_at("\xC0\x80", 0).valid);          // overlong NUL
    EXPECT_FALSE(decode_utf8_at("\xED\xA0\x80", 0).valid);      // surrogate
    EXPECT_FALSE(decode_utf8_at("\xF4\x90\x80\x80", 0).valid);  // > U+10FFFF
    EXPECT_EQ(to_valid_utf8("a\xE2\x82"
                            "b"),
              "a" + kReplacementChar + "b");  // one per subpart
    EXPECT_EQ(to_valid_utf8("\xFF\xFE"), kReplacementChar + kReplacementChar);
}

// --- sanitize_display_name --------------------------------------------------

TEST(SanitizeDisplayName, RemovesLineBreaksAndControls) {
    EXPECT_EQ(sanitize_display_name("Evil\r\nBcc: x@y"), "EvilBcc: x@y");
    EXPECT_EQ(sanitize_display_name(std::string("Ev\0il", 5)), "Evil");
    EXPECT_EQ(sanitize_display_name("a\x01\x1F\x7F"
                                    "b"),
              "ab");
    EXPECT_EQ(sanitize_display_name("a\xC2\x85\xC2\x9F"
                                    "b"),
              "ab");  // NEL and C1
    EXPECT_EQ(sanitize_display_name("abc\xE2\x80\xAE"
                                    "fdp.exe"),
              "abcfdp.exe");  // RLO
}

TEST(SanitizeDisplayName, CollapsesAndTrimsWhitespace) {
    EXPECT_EQ(sanitize_display_name("  M\xC3\xBCller \t\t Immobilien  "),
              "M\xC3\xBCller Immobilien");
    EXPECT_EQ(sanitize_display_name("a\xC2\xA0\xE2\x80\xA8"
                                    "b"),
              "a b");  // NBSP + LS
    EXPECT_EQ(sanitize_display_name(" \t \r\n "), "");
}

TEST(SanitizeDisplayName, ReplacesInvalidUtf8) {
    EXPECT_EQ(sanitize_display_name("M\xFCller"), "M" + kReplacementChar + "ller");
    EXPECT_TRUE(valid_utf8(sanitize_display_name("\xC3\x28\xA0\xA1\xF0\x28\x8C\xBC")));
}

TEST(SanitizeDisplayName, CapsAt200BytesOnCharacterBoundary) {
    EXPECT_EQ(sanitize_display_name(std::string(300, 'a')), std::string(200, 'a'));
    std::string umlauts;
    for (int i = 0; i < 150; ++i) umlauts += "\xC3\xA4";
    EXPECT_EQ(sanitize_display_name(umlauts).size(), 200u);
    std::string emoji = "a";
    for (int i = 0; i < 75; ++i) emoji += kEmoji;
    const std::string capped = sanitize_display_name(emoji);
    EXPECT_EQ(capped.size(), 197u);  // 1 + 49 * 4; a 50th emoji would make 201
    EXPECT_TRUE(valid_utf8(capped));
    // A space just before the cap is not left dangling.
    EXPECT_EQ(sanitize_display_name(std::string(199, 'a') + " bbb"), std::string(199, 'a'));
}

// --- is_valid_address_syntax -----------------------------------------------

TEST(AddressSyntax, AcceptsAndRejects) {
    for (const char* ok : {"info@example.de", "first.last+tag@mail.example.co.uk",
                           "o'brien@example.com", "x@a-b.example", "a!#$%&'*+-/=?^_`{|}~@x.de"}) {
        EXPECT_TRUE(is_valid_address_syntax(ok)) << ok;
    }
    for (const char* bad :
         {"", "info", "@example.de", "info@", "info@example", "a b@example.de", ".a@example.de",
          "a.@example.de", "a..b@example.de", "a@-x.de", "a@x-.de", "a@x..de", "a@1.2.3.4",
          "\"a\"@example.de", "a@[192.0.2.1]", "a@example.de\r\nBcc: b@example.de",
          "m\xC3\xBCller@example.de", "a@b@example.de", "<a@example.de>"}) {
        EXPECT_FALSE(is_valid_address_syntax(bad)) << bad;
    }
    EXPECT_TRUE(is_valid_address_syntax(std::string(64, 'a') + "@example.de"));
    EXPECT_FALSE(is_valid_address_syntax(std::string(65, 'a') + "@example.de"));
    EXPECT_FALSE(is_valid_address_syntax("a@" + std::string(64, 'b') + ".de"));
}

TEST(HostName, AcceptsAndRejects) {
    EXPECT_TRUE(is_valid_host_name("mail"));
    EXPECT_TRUE(is_valid_host_name("imap.example.de"));
    EXPECT_TRUE(is_valid_host_name("192.0.2.25"));
    EXPECT_FALSE(is_valid_host_name(""));
    EXPECT_FALSE(is_valid_host_name("imap example.de"));
    EXPECT_FALSE(is_valid_host_name("imap.example.de."));
    EXPECT_FALSE(is_valid_host_name("imap.example.de\n"));
}

// --- format_address_header -------------------------------------------------

TEST(FormatAddressHeader, DesignExample) {
    EXPECT_EQ(format_address_header("M\xC3\xBCller Immobilien", "info@example.de"),
              "=?UTF-8?B?TcO8bGxlciBJbW1vYmlsaWVu?= <info@example.de>");
}

TEST(FormatAddressHeader, EmptyNameGivesAngleAddress) {
    EXPECT_EQ(format_address_header("", "info@example.de"), "<info@example.de>");
    EXPECT_EQ(format_address_header(" \r\n\t", "info@example.de"), "<info@example.de>");
}

TEST(FormatAddressHeader, PlainAsciiAsIs) {
    EXPECT_EQ(format_address_header("Info Desk", "info@example.de"), "Info Desk <info@example.de>");
    EXPECT_EQ(format_address_header("O'Brien & Sons", "info@example.de"),
              "O'Brien & Sons <info@example.de>");
}

TEST(FormatAddressHeader, SpecialsAreQuotedAndEscaped) {
    EXPECT_EQ(format_address_header("Doe, John", "info@example.de"),
              "\"Doe, John\" <info@example.de>");
    EXPECT_EQ(format_address_header("J. Smith", "info@example.de"),
              "\"J. Smith\" <info@example.de>");
    EXPECT_EQ(format_address_header("He said \"hi\" \\o/", "info@example.de"),
              "\"He said \\\"hi\\\" \\\\o/\" <info@example.de>");
    EXPECT_EQ(format_address_header("\"", "info@example.de"), "\"\\\"\" <info@example.de>");
    EXPECT_EQ(format_address_header("\\", "info@example.de"), "\"\\\\\" <info@example.de>");
}

TEST(FormatAddressHeader, HeaderInjectionIsImpossible) {
    const std::string value = format_address_header("Evil\r\nBcc: x@y", "info@example.de");
    EXPECT_EQ(value, "\"EvilBcc: x@y\" <info@example.de>");
    for (const std::string& hostile :
         {std::string("Evil\r\nBcc: victim@example.com"), std::string("Evil\nTo: a@b.de"),
          std::string("Evil\rX: y"), std::string("N\0ul\r\n\r\nbody", 12),
          std::string("\xC2\x85Next line\xE2\x80\xA8X-Injected: 1"),
          std::string("M\xC3\xBCller\r\nBcc: x@y"), std::string("\"\r\n\\\"\r\n")}) {
        const std::string header = "From: " + format_address_header(hostile, "info@example.de");
        expect_safe_header(header);
        EXPECT_EQ(header.find("\nBcc"), std::string::npos);
        EXPECT_EQ(header.find("\nTo"), std::string::npos);
        EXPECT_EQ(header.find("\nX"), std::string::npos);
    }
}

TEST(FormatAddressHeader, EncodedWordLookalikesAreEncoded) {
    const std::string value = format_address_header("=?UTF-8?B?QWRtaW4=?=", "info@example.de");
    expect_good_encoded_words(value);
    EXPECT_EQ(decode_rfc2047(value), "=?UTF-8?B?QWRtaW4=?= <info@example.de>");
}

TEST(FormatAddressHeader, EmojiAndLongNamesFoldWithinLimits) {
    std::string emoji_name;
    for (int i = 0; i < 80; ++i) emoji_name += kEmoji;  // 320 bytes
    std::string mixed;
    for (int i = 0; i < 60; ++i)
        mixed +=
            "\xC3\xA4"
            "b ";  // 240 bytes
    std::string umlaut_run;
    for (int i = 0; i < 150; ++i) umlaut_run += "\xC3\xBC";
    for (const std::string& name : {emoji_name, mixed, umlaut_run}) {
        for (const std::string header_name : {"From", "Reply-To", "Resent-From"}) {
            const std::string value = format_address_header(name, "info@example.de", header_name);
            const std::string header = header_name + ": " + value;
            expect_safe_header(header);
            expect_good_encoded_words(value);
            EXPECT_EQ(decode_rfc2047(value), sanitize_display_name(name) + " <info@example.de>");
        }
    }
}

TEST(FormatAddressHeader, LongAsciiNamesFoldAtSpaces) {
    std::string name;
    for (int i = 0; i < 35; ++i) name += "word" + std::to_string(i) + " ";
    const std::string value = format_address_header(name, "info@example.de");
    expect_safe_header("From: " + value);
    EXPECT_NE(value.find('\n'), std::string::npos);
    std::string unfolded;
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '\n') unfolded += value[i];
    }
    EXPECT_EQ(unfolded, sanitize_display_name(name) + " <info@example.de>");

    // Quoted strings fold at their spaces too.
    std::string shorter;
    for (int i = 0; i < 20; ++i) shorter += "word" + std::to_string(i) + " ";
    const std::string quoted = format_address_header(shorter + ", Inc.", "info@example.de");
    expect_safe_header("From: " + quoted);
    EXPECT_EQ(quoted.front(), '"');
    EXPECT_EQ(unfold(quoted),
              "\"" + sanitize_display_name(shorter + ", Inc.") + "\" <info@example.de>");
}

TEST(FormatAddressHeader, UnfoldableAsciiFallsBackToEncodedWords) {
    const std::string value = format_address_header(std::string(300, 'A'), "info@example.de");
    expect_safe_header("From: " + value);
    expect_good_encoded_words(value);
    EXPECT_EQ(decode_rfc2047(value), std::string(200, 'A') + " <info@example.de>");
}

TEST(FormatAddressHeader, LongAddressGoesOnItsOwnLine) {
    const std::string address = std::string(60, 'a') + "@" + std::string(20, 'b') + ".example.de";
    const std::string value = format_address_header("Name", address);
    EXPECT_EQ(value, "Name\n <" + address + ">");
}

TEST(FormatAddressHeader, RejectsBadAddressesAndHeaderNames) {
    EXPECT_THROW(format_address_header("x", "info@example.de\r\nBcc: a@b.de"),
                 std::invalid_argument);
    EXPECT_THROW(format_address_header("x", "a b@example.de"), std::invalid_argument);
    EXPECT_THROW(format_address_header("x", ""), std::invalid_argument);
    EXPECT_THROW(format_address_header("x", "info@example.de", "Fr om"), std::invalid_argument);
    EXPECT_THROW(format_address_header("x", "info@example.de", ""), std::invalid_argument);
}

// --- encode_unstructured_header --------------------------------------------

TEST(UnstructuredHeader, PlainAsciiAsIs) {
    EXPECT_EQ(encode_unstructured_header("Subject", "Hello, world: \"quotes\" ok"),
              "Subject: Hello, world: \"quotes\" ok");
    EXPECT_EQ(encode_unstructured_header("Subject", ""), "Subject: ");
}

TEST(UnstructuredHeader, NonAsciiIsEncoded) {
    const std::string header = encode_unstructured_header("Subject",
                                                          "Auto: Gr\xC3\xBC\xC3\x9F"
                                                          "e");
    EXPECT_EQ(header, "Subject: =?UTF-8?B?QXV0bzogR3LDvMOfZQ==?=");
    EXPECT_EQ(decode_rfc2047(header.substr(9)),
              "Auto: Gr\xC3\xBC\xC3\x9F"
              "e");
}

TEST(UnstructuredHeader, InjectionAndLongValues) {
    EXPECT_EQ(encode_unstructured_header("Subject", "Hi\r\nBcc: x@y.de"), "Subject: HiBcc: x@y.de");
    std::string long_value;
    for (int i = 0; i < 100; ++i) long_value += "Zugangsdaten f\xC3\xBCr " + kEmoji + " ";
    const std::string header = encode_unstructured_header("Subject", long_value);
    expect_safe_header(header);
    expect_good_encoded_words(header);
    const std::string decoded = decode_rfc2047(header.substr(9));
    EXPECT_LE(decoded.size(), kMaxUnstructuredBytes);
    EXPECT_GT(decoded.size(), 900u);
    EXPECT_TRUE(long_value.starts_with(decoded));

    std::string ascii;
    for (int i = 0; i < 50; ++i) ascii += "access data ";
    const std::string folded = encode_unstructured_header("Subject", ascii);
    expect_safe_header(folded);
    EXPECT_EQ(unfold(folded).substr(9), ascii.substr(0, ascii.size() - 1));
}

TEST(UnstructuredHeader, RejectsBadNames) {
    EXPECT_THROW(encode_unstructured_header("", "x"), std::invalid_argument);
    EXPECT_THROW(encode_unstructured_header("Sub ject", "x"), std::invalid_argument);
    EXPECT_THROW(encode_unstructured_header("Subject:", "x"), std::invalid_argument);
    EXPECT_THROW(encode_unstructured_header("Subject\r\nBcc", "x"), std::invalid_argument);
}

// --- decode_rfc2047 ----------------------------------------------------------

TEST(DecodeRfc2047, BAndQ) {
    EXPECT_EQ(decode_rfc2047("=?UTF-8?B?TcO8bGxlcg==?="), "M\xC3\xBCller");
    EXPECT_EQ(decode_rfc2047("=?utf-8?b?TcO8bGxlcg?="), "M\xC3\xBCller");  // no padding
    EXPECT_EQ(decode_rfc2047("=?UTF-8?Q?M=C3=BCller_Immobilien?="), "M\xC3\xBCller Immobilien");
    EXPECT_EQ(decode_rfc2047("=?utf-8?q?M=c3=bcller?="), "M\xC3\xBCller");
    EXPECT_EQ(decode_rfc2047("plain text"), "plain text");
    EXPECT_EQ(decode_rfc2047(""), "");
}

TEST(DecodeRfc2047, LegacyCharsets) {
    EXPECT_EQ(decode_rfc2047("=?ISO-8859-1?Q?M=FCller?="), "M\xC3\xBCller");
    EXPECT_EQ(decode_rfc2047("=?iso-8859-15?q?=A4?="), "\xE2\x82\xAC");  // euro sign
    EXPECT_EQ(decode_rfc2047("=?windows-1252?Q?=80_=93x=94?="),
              "\xE2\x82\xAC \xE2\x80\x9Cx\xE2\x80\x9D");
    // Latin-1 labels are read as windows-1252 (WHATWG), so 0x80 is the euro.
    EXPECT_EQ(decode_rfc2047("=?ISO-8859-1?Q?=80?="), "\xE2\x82\xAC");
    EXPECT_EQ(decode_rfc2047("=?ISO-8859-1?B?5Pb8?="), "\xC3\xA4\xC3\xB6\xC3\xBC");
}

TEST(DecodeRfc2047, WhitespaceBetweenAdjacentWordsIsDropped) {
    EXPECT_EQ(decode_rfc2047("=?UTF-8?Q?a?= =?UTF-8?Q?b?="), "ab");
    EXPECT_EQ(decode_rfc2047("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=\n\t=?ISO-8859-1?Q?c?="), "abc");
    EXPECT_EQ(decode_rfc2047("=?UTF-8?Q?a?= x =?UTF-8?Q?b?="), "a x b");
    EXPECT_EQ(decode_rfc2047("Re: =?UTF-8?Q?a?=  tail"), "Re: a  tail");
    EXPECT_EQ(decode_rfc2047("folded\r\n line"), "folded line");
}

TEST(DecodeRfc2047, CharacterSplitAcrossWords) {
    EXPECT_EQ(decode_rfc2047("=?UTF-8?B?ww==?= =?UTF-8?B?pA==?="), "\xC3\xA4");
    EXPECT_EQ(decode_rfc2047("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A4?="), "\xC3\xA4");
}

TEST(DecodeRfc2047, MalformedWordsStayAsIs) {
    for (const char* bad : {"=?UTF-8?X?abc?=", "=?UTF-8?B?!!!?=", "=?UTF-8?Q?abc",
                            "=?UTF-8?Q?a=Zb?=", "=?x-no-such-charset?Q?a?=", "=??Q?a?=",
                            "=?UTF-8?B?a?=", "=?UTF-8?Q?a b?=", "=?UTF-8?Q?a=?="}) {
        EXPECT_EQ(decode_rfc2047(bad), bad);
    }
    EXPECT_EQ(decode_rfc2047("x =?UTF-8?X?abc?= =?UTF-8?Q?ok?="), "x =?UTF-8?X?abc?= ok");
}

TEST(DecodeRfc2047, OutputIsValidUtf8) {
    EXPECT_EQ(decode_rfc2047("=?UTF-8?Q?=FF?="), kReplacementChar);
    EXPECT_EQ(decode_rfc2047("raw \xFC"), "raw " + kReplacementChar);
    EXPECT_EQ(decode_rfc2047("=?UTF-8?Q?=C3?="), kReplacementChar);
    std::mt19937 rng(7);
    for (int i = 0; i < 500; ++i) {
        std::string raw;
        for (int j = 0; j < 12; ++j) raw += static_cast<char>(rng() & 0xFF);
        std::string input = "=?windows-1252?Q?";
        for (const char ch : raw) {
            static const char* hex = "0123456789ABCDEF";
            input += '=';
            input += hex[(ch >> 4) & 15];
            input += hex[ch & 15];
        }
        input += "?= " + raw;
        EXPECT_TRUE(valid_utf8(decode_rfc2047(input)));
    }
}

TEST(DecodeRfc2047, LanguageSuffixIgnored) {
    EXPECT_EQ(decode_rfc2047("=?UTF-8*de?Q?Gr=C3=BC=C3=9Fe?="),
              "Gr\xC3\xBC\xC3\x9F"
              "e");
}

// --- Message-ID and Date ------------------------------------------------------

TEST(MessageId, FormatAndUniqueness) {
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = make_message_id("example.de");
        EXPECT_TRUE(is_message_id_for(id, "example.de")) << id;
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 1000u);
    EXPECT_NO_THROW(make_message_id("mailhost"));
    EXPECT_THROW(make_message_id(""), std::invalid_argument);
    EXPECT_THROW(make_message_id("example.de>\r\nBcc: x"), std::invalid_argument);
    EXPECT_THROW(make_message_id("a b"), std::invalid_argument);
}

TEST(Rfc5322Date, Formats) {
    using namespace std::chrono;
    EXPECT_EQ(format_rfc5322_date(system_clock::time_point{}), "Thu, 01 Jan 1970 00:00:00 +0000");
    EXPECT_EQ(
        format_rfc5322_date(system_clock::time_point{seconds{1136214245}} + milliseconds{999}),
        "Mon, 02 Jan 2006 15:04:05 +0000");
    EXPECT_EQ(format_rfc5322_date(system_clock::time_point{seconds{1709251199}}),
              "Thu, 29 Feb 2024 23:59:59 +0000");
    EXPECT_EQ(format_rfc5322_date(system_clock::time_point{} - milliseconds{1}),
              "Wed, 31 Dec 1969 23:59:59 +0000");
}

// --- quoted-printable ---------------------------------------------------------

TEST(QuotedPrintable, EncodesPerRfc2045) {
    EXPECT_EQ(encode_quoted_printable("Gr\xC3\xBC\xC3\x9F"
                                      "e"),
              "Gr=C3=BC=C3=9Fe");
    EXPECT_EQ(encode_quoted_printable("a=b"), "a=3Db");
    EXPECT_EQ(encode_quoted_printable("trailing \nspace\t\n"), "trailing=20\nspace=09\n");
    EXPECT_EQ(encode_quoted_printable("a b"), "a b");
    EXPECT_EQ(encode_quoted_printable(".\n..x"), "=2E\n=2E.x");
    EXPECT_EQ(encode_quoted_printable("cr\r\n"), "cr=0D\n");
    EXPECT_EQ(encode_quoted_printable(""), "");
}

TEST(QuotedPrintable, SoftBreaksKeepLinesWithin76) {
    const std::string line(200, 'x');
    const std::string encoded = encode_quoted_printable(line);
    for (const auto& l : lines_of(encoded)) EXPECT_LE(l.size(), 76u);
    EXPECT_EQ(decode_quoted_printable(encoded), line);
    EXPECT_EQ(encode_quoted_printable(std::string(76, 'x')), std::string(76, 'x'));
    EXPECT_EQ(encode_quoted_printable(std::string(77, 'x')), std::string(75, 'x') + "=\n" + "xx");
    // An escape is never split by a soft break.
    std::string umlauts;
    for (int i = 0; i < 40; ++i) umlauts += "\xC3\xA4";
    const std::string encoded_umlauts = encode_quoted_printable(umlauts);
    for (const auto& l : lines_of(encoded_umlauts)) {
        EXPECT_LE(l.size(), 76u);
        const std::string escapes = l.size() % 3 == 1 ? l.substr(0, l.size() - 1) : l;
        EXPECT_EQ(escapes.size() % 3, 0u) << l;
        for (size_t i = 0; i + 2 < escapes.size(); i += 3) {
            EXPECT_EQ(escapes[i], '=') << l;
            EXPECT_TRUE(is_hex(escapes.substr(i + 1, 2), "0123456789ABCDEF")) << l;
        }
    }
}

TEST(QuotedPrintable, RoundTripsRandomBytes) {
    std::mt19937 rng(42);
    for (int i = 0; i < 300; ++i) {
        std::string text;
        const int length = static_cast<int>(rng() % 400);
        for (int j = 0; j < length; ++j) {
            const unsigned r = rng() % 10;
            text += r == 0 ? '\n' : r == 1 ? ' ' : r == 2 ? '.' : static_cast<char>(rng() & 0xFF);
        }
        const std::string encoded = encode_quoted_printable(text);
        for (const auto& l : lines_of(encoded)) {
            ASSERT_LE(l.size(), 76u);
            if (!l.empty()) {
                ASSERT_NE(l.back(), ' ');
                ASSERT_NE(l.back(), '\t');
                ASSERT_NE(l.front(), '.');
            }
            for (const char ch : l) {
                ASSERT_TRUE(ch == ' ' || ch == '\t' || (ch >= 33 && ch <= 126)) << int(ch);
            }
        }
        ASSERT_EQ(decode_quoted_printable(encoded), text);
    }
}

TEST(QuotedPrintable, DecodesLeniently) {
    EXPECT_EQ(decode_quoted_printable("a=3d=3Db=\r\nc\r\nd  \r\n"), "a==bc\nd\n");
    EXPECT_EQ(decode_quoted_printable("bad=ZZ="), "bad=ZZ");
    EXPECT_EQ(decode_quoted_printable("x=4"), "x=4");
}

}  // namespace
}  // namespace boxwarden
