#include "boxwarden/message_id.h"

#include <sodium.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string>

#include "boxwarden/address.h"
#include "boxwarden/binary_text.h"
#include "boxwarden/utf8.h"

namespace boxwarden {

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
    id += to_hex(std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
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

}  // namespace boxwarden
