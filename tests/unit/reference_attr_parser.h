// The attribute parser as it was before parsing moved in place: byte by byte
// into a line buffer, then copied into an AttrRequest. Kept only as the
// reference of the differential tests (tests/unit/attr_codec_in_place_test.cpp
// and tests/fuzz/fuzz_attr_codec.cpp): the in-place parser must return the
// same requests and the same error for any input and any chunking.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "boxwarden/attr_codec.h"

namespace boxwarden::reference {

class ByteParser {
  public:
    explicit ByteParser(AttrEncoding encoding, AttrLimits limits = {})
        : encoding_(encoding), limits_(limits) {}

    void feed(std::string_view bytes) {
        for (const char c : bytes) {
            if (error_) return;
            if (c == '\0') return fail(AttrError::NulByte);
            if (++request_bytes_ > limits_.max_request_bytes) {
                return fail(AttrError::RequestTooLarge);
            }
            if (c == '\n') {
                end_line();
                continue;
            }
            if (line_.size() > limits_.max_line_bytes ||
                (line_.size() == limits_.max_line_bytes && c != '\r')) {
                return fail(AttrError::LineTooLong);
            }
            line_.push_back(c);
        }
    }

    std::optional<AttrRequest> next() {
        if (ready_.empty()) return std::nullopt;
        AttrRequest request = std::move(ready_.front());
        ready_.pop_front();
        return request;
    }

    [[nodiscard]] std::optional<AttrError> error() const { return error_; }
    [[nodiscard]] bool mid_request() const { return request_bytes_ > 0; }

  private:
    static int hex_value(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    static std::optional<std::string> unescape(std::string_view in) {
        std::string out;
        for (size_t i = 0; i < in.size(); ++i) {
            if (in[i] != '%') {
                out.push_back(in[i]);
                continue;
            }
            if (in.size() - i < 3) return std::nullopt;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        }
        return out;
    }

    void end_line() {
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (line_.empty()) {
            ready_.push_back(std::move(current_));
            current_ = AttrRequest{};
            request_bytes_ = 0;
            return;
        }
        const size_t eq = line_.find('=');
        if (eq == std::string::npos) return fail(AttrError::MissingEquals);
        if (eq == 0) return fail(AttrError::EmptyName);
        if (current_.attributes.size() >= limits_.max_attributes) {
            return fail(AttrError::TooManyAttributes);
        }
        std::string value;
        if (encoding_ == AttrEncoding::Escaped) {
            auto decoded = unescape(std::string_view(line_).substr(eq + 1));
            if (!decoded) return fail(AttrError::BadEscape);
            value = std::move(*decoded);
        } else {
            value = line_.substr(eq + 1);
        }
        current_.attributes.emplace_back(line_.substr(0, eq), std::move(value));
        line_.clear();
    }

    void fail(AttrError error) {
        error_ = error;
        line_ = std::string();
        current_ = AttrRequest{};
    }

    AttrEncoding encoding_;
    AttrLimits limits_;
    std::string line_;
    AttrRequest current_;
    size_t request_bytes_ = 0;
    std::deque<AttrRequest> ready_;
    std::optional<AttrError> error_;
};

}  // namespace boxwarden::reference
