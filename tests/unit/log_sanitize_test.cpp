// The Untrusted wrapper of log lines: its values are always sanitised,
// trusted parts stay verbatim. (sanitize_for_log itself: attr_codec_test.cpp.)
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "boxwarden/log_sanitize.h"

namespace boxwarden {
namespace {

TEST(LogSanitize, UntrustedPartsAreSanitisedTrustedPartsAreNot) {
    const std::string hostile = "db said: \x1b[31mred\nfake line\xff";
    EXPECT_EQ(compose_log_line("cache sync failed: ", Untrusted{hostile}, "; retrying"),
              "cache sync failed: db said: \\x1b[31mred\\x0afake line\\xff; retrying");
    EXPECT_EQ(compose_log_line(std::string("a"), std::string_view("b"), "c"), "abc");
}

TEST(LogSanitize, UntrustedHonoursItsLimit) {
    EXPECT_EQ(compose_log_line("x=", Untrusted{"abcdef", 3}), "x=abc…(truncated)");
}

TEST(LogSanitize, ExceptionMessagesGoThroughUntrusted) {
    try {
        throw std::runtime_error("bad\r\nInjected: yes");
    } catch (const std::exception& e) {
        EXPECT_EQ(compose_log_line("request failed: ", Untrusted{e.what()}),
                  "request failed: bad\\x0d\\x0aInjected: yes");
    }
}

TEST(LogSanitize, AppendKeepsWhatIsThere) {
    std::string line = "prefix ";
    append_sanitized_for_log(line, "v\t", 4);
    EXPECT_EQ(line, "prefix v…(truncated)");  // "\\x09" would not fit in 4 bytes
}

}  // namespace
}  // namespace boxwarden
