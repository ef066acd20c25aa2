// Message-ID and Date header values of the mails boxwarden sends.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace boxwarden {

// "<{unix time, hex}.{128 random bits, hex}@domain>". Throws
// std::invalid_argument if `domain` is not a valid domain name.
std::string make_message_id(std::string_view domain);

// RFC 5322 date-time in UTC, e.g. "Mon, 02 Jan 2006 15:04:05 +0000".
std::string format_rfc5322_date(std::chrono::system_clock::time_point time);

}  // namespace boxwarden
