// libFuzzer target for quoted-printable (core/mail quoted_printable.cpp).
// Properties checked on every input:
//  - decode_quoted_printable never crashes on any bytes;
//  - decode(encode(x)) == x for any bytes x;
//  - encoded lines are at most 76 characters and hold only printable ASCII,
//    and no line starts with '.' (SMTP dot-stuffing).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "boxwarden/quoted_printable.h"

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    (void)boxwarden::decode_quoted_printable(input);

    const std::string encoded = boxwarden::encode_quoted_printable(input);
    CHECK(boxwarden::decode_quoted_printable(encoded) == input);
    std::size_t line_start = 0;
    while (line_start <= encoded.size()) {
        std::size_t end = encoded.find('\n', line_start);
        if (end == std::string::npos) end = encoded.size();
        const std::string_view line =
            std::string_view(encoded).substr(line_start, end - line_start);
        CHECK(line.size() <= 76);
        CHECK(line.empty() || line[0] != '.');
        for (const char c : line) CHECK((c >= 0x20 && c <= 0x7E) || c == '\t');
        line_start = end + 1;
    }
    return 0;
}
