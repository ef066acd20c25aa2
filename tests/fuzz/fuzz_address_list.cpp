// libFuzzer target for the RFC 5322 address-list parser
// (core/mail/src/address_list.cpp). Properties checked on every input:
//  - parse_address_list and parse_mailbox_list never crash, are
//    deterministic, and agree unless the input holds a group;
//  - a success yields at most max_addresses mailboxes, each address with an
//    '@', no CR/LF, a lowercase domain, and a valid UTF-8 display name;
//  - a failure has an error text, an offset within the input, no mailboxes;
//  - every mailbox whose address format_address_header accepts round-trips:
//    formatting it with its display name and parsing the result gives the
//    same address and the sanitized name (what the milter relies on).
// The input is one field value (the files in corpus_address_list/).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "boxwarden/address_list.h"

namespace {

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

using namespace boxwarden;

void check_result(const AddressListResult& r, std::string_view input,
                  const AddressListLimits& limits) {
    if (!r.ok) {
        CHECK(r.mailboxes.empty());
        CHECK(!r.error.empty());
        CHECK(r.error_offset <= input.size() || r.error_kind == AddressListErrorKind::TooLong);
        return;
    }
    CHECK(r.mailboxes.size() <= limits.max_addresses);
    for (const HeaderMailbox& m : r.mailboxes) {
        const std::size_t at = m.address.rfind('@');
        CHECK(at != std::string::npos && at + 1 < m.address.size());
        CHECK(m.address.find_first_of("\r\n") == std::string::npos);
        for (const char c : m.address.substr(at + 1)) CHECK(!(c >= 'A' && c <= 'Z'));
        CHECK(is_valid_utf8(m.display_name));
        if (!is_valid_address_syntax(m.address)) continue;
        const std::string value = format_address_header(m.display_name, m.address, "From");
        const AddressListResult back = parse_mailbox_list(value);
        CHECK(back.ok);
        CHECK(back.mailboxes.size() == 1);
        CHECK(ascii_lowercase(back.mailboxes[0].address) == ascii_lowercase(m.address));
        CHECK(back.mailboxes[0].display_name == sanitize_display_name(m.display_name));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    AddressListLimits limits;
    limits.max_addresses = 50;  // small, so the fuzzer reaches the limit
    const AddressListResult list = parse_address_list(input, limits);
    check_result(list, input, limits);
    const AddressListResult again = parse_address_list(input, limits);
    CHECK(again.ok == list.ok && again.mailboxes.size() == list.mailboxes.size() &&
          again.error == list.error && again.error_offset == list.error_offset);
    const AddressListResult mailboxes = parse_mailbox_list(input, limits);
    check_result(mailboxes, input, limits);
    if (mailboxes.ok) {
        CHECK(list.ok && list.mailboxes.size() == mailboxes.mailboxes.size());
    }
    return 0;
}
