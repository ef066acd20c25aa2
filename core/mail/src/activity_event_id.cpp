#include "boxwarden/activity_event_id.h"

#include "boxwarden/text_trim.h"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "boxwarden/mail_header.h"

namespace boxwarden {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Each part is length-prefixed, so no choice of values can make two
// different inputs hash the same byte string.
void add_part(std::string& input, std::string_view part) {
    input += std::to_string(part.size());
    input += ':';
    input += part;
}

}  // namespace

std::string message_id_token(std::string_view header) {
    const std::size_t open = header.find('<');
    if (open != std::string_view::npos) {
        const std::size_t close = header.find('>', open);
        if (close != std::string_view::npos) {
            std::string token;
            for (const char c : header.substr(open, close - open + 1)) {
                if (!is_blank(c)) token += c;
            }
            return token;
        }
    }
    return std::string(trim(header, kWhitespace));
}

std::string activity_event_id(ActivityDirection direction, std::string_view mailbox_address,
                              std::string_view message_id_header, std::string_view fallback) {
    const std::string mailbox = ascii_lowercase(trim(mailbox_address, kWhitespace));
    if (mailbox.empty()) throw std::invalid_argument("event_id needs a mailbox address");
    const std::string message_id = message_id_token(message_id_header);
    const std::string_view fallback_value = trim(fallback, kWhitespace);
    if (message_id.empty() && fallback_value.empty()) {
        throw std::invalid_argument("event_id needs a Message-ID or a fallback (e.g. queue id)");
    }
    const char dir = direction == ActivityDirection::Sent ? 's' : 'r';
    std::string input = "boxwarden-activity-v1";
    add_part(input, std::string_view(&dir, 1));
    add_part(input, mailbox);
    if (!message_id.empty()) {
        add_part(input, "message-id");
        add_part(input, message_id);
    } else {
        add_part(input, "fallback");
        add_part(input, fallback_value);
    }
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    std::array<unsigned char, 32> digest{};
    crypto_generichash(digest.data(), digest.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size(), nullptr,
                       0);
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string id = "bw1-";
    id += dir;
    id += '-';
    for (const unsigned char b : digest) {
        id += kHex[b >> 4];
        id += kHex[b & 15];
    }
    return id;
}

}  // namespace boxwarden
