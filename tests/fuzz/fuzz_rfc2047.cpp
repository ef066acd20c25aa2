// libFuzzer target for the RFC 2047 encoded-word decoder (core/mail rfc2047.cpp).
// Properties checked on every input:
//  - decode_rfc2047 never crashes and always returns valid UTF-8;
//  - what boxwarden encodes it decodes back: for the input as a Subject,
//    decoding the encoded (and folded) value gives the sanitised text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "boxwarden/header_encoding.h"
#include "boxwarden/rfc2047.h"
#include "boxwarden/utf8.h"

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    CHECK(boxwarden::is_valid_utf8(boxwarden::decode_rfc2047(input)));

    // Short enough that the display-name cap (200 bytes) did not cut it, the
    // display-name sanitiser is the one encode_unstructured_header applies.
    const std::string clean = boxwarden::sanitize_display_name(input);
    if (clean.size() + 4 < boxwarden::kMaxDisplayNameBytes) {
        const std::string header = boxwarden::encode_unstructured_header("Subject", input);
        CHECK(header.rfind("Subject: ", 0) == 0);
        CHECK(boxwarden::decode_rfc2047(std::string_view(header).substr(9)) == clean);
    }
    return 0;
}
