#include "boxwarden/attr_codec.h"

#include <cstring>
#include <stdexcept>

namespace boxwarden {

namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";

bool needs_escape(unsigned char c) {
    return c < 0x20 || c == 0x7F || c == '%';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Decodes %XX escapes of text[0, size) in place (the result is never
// longer) and returns the decoded size, or nullopt for a bad escape.
std::optional<std::size_t> unescape_in_place(char* text, std::size_t size) {
    const void* first = std::memchr(text, '%', size);
    if (first == nullptr) return size;
    std::size_t out = static_cast<std::size_t>(static_cast<const char*>(first) - text);
    for (std::size_t i = out; i < size; ++i) {
        if (text[i] != '%') {
            text[out++] = text[i];
            continue;
        }
        if (size - i < 3) return std::nullopt;
        const int hi = hex_value(text[i + 1]);
        const int lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        text[out++] = static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

}  // namespace

std::string_view to_string(AttrError error) {
    switch (error) {
        case AttrError::MissingEquals:
            return "line without '='";
        case AttrError::EmptyName:
            return "empty attribute name";
        case AttrError::LineTooLong:
            return "line too long";
        case AttrError::TooManyAttributes:
            return "too many attributes";
        case AttrError::RequestTooLarge:
            return "request too large";
        case AttrError::NulByte:
            return "NUL byte";
        case AttrError::BadEscape:
            return "bad %-escape";
    }
    return "unknown attribute error";
}

std::optional<std::string_view> AttrRequest::find(std::string_view name) const {
    for (const auto& [n, v] : attributes) {
        if (n == name) return std::string_view(v);
    }
    return std::nullopt;
}

std::optional<std::string_view> AttrRequestView::find(std::string_view name) const {
    for (const auto& [n, v] : attributes) {
        if (n == name) return v;
    }
    return std::nullopt;
}

AttrRequest AttrRequestView::to_owned() const {
    AttrRequest request;
    request.attributes.reserve(attributes.size());
    for (const auto& [n, v] : attributes) request.attributes.emplace_back(n, v);
    return request;
}

std::vector<AttrView> views_of(const AttrRequest& request) {
    std::vector<AttrView> views;
    views.reserve(request.attributes.size());
    for (const auto& [n, v] : request.attributes) views.emplace_back(n, v);
    return views;
}

AttrRequestParser::AttrRequestParser(AttrEncoding encoding, AttrLimits limits)
    : encoding_(encoding), limits_(limits) {}

void AttrRequestParser::feed(std::string_view bytes) {
    if (error_) return;
    compact();
    // A line at a time: the first failing byte is found with the same rules
    // (and the same precedence at one byte: NUL, then request size, then line
    // length) as a byte-by-byte check, so errors do not depend on chunking,
    // and nothing past a failing byte is stored.
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const char* start = bytes.data() + pos;
        const std::size_t available = bytes.size() - pos;
        const auto* newline = static_cast<const char*>(std::memchr(start, '\n', available));
        const std::size_t segment =
            newline ? static_cast<std::size_t>(newline - start) : available;  // without '\n'
        const std::size_t counted = segment + (newline ? 1 : 0);

        std::size_t fail_at = counted;  // index of the first failing byte
        std::optional<AttrError> failure;
        const auto candidate = [&](std::size_t at, AttrError error) {
            if (at < fail_at) {  // candidates come in precedence order
                fail_at = at;
                failure = error;
            }
        };
        if (const void* nul = std::memchr(start, '\0', segment)) {
            candidate(static_cast<std::size_t>(static_cast<const char*>(nul) - start),
                      AttrError::NulByte);
        }
        const std::size_t room = limits_.max_request_bytes - request_bytes_;
        if (room < counted) candidate(room, AttrError::RequestTooLarge);
        const std::size_t line_bytes = buffer_.size() - line_start_;
        if (line_bytes > limits_.max_line_bytes) {
            if (segment > 0) candidate(0, AttrError::LineTooLong);
        } else {
            // One byte of slack for a '\r' that the coming '\n' will strip.
            const std::size_t at = limits_.max_line_bytes - line_bytes;
            if (at < segment && start[at] != '\r') {
                candidate(at, AttrError::LineTooLong);
            } else if (at < segment && at + 1 < segment) {
                candidate(at + 1, AttrError::LineTooLong);
            }
        }
        if (failure) {
            request_bytes_ += fail_at + (*failure == AttrError::NulByte ? 0 : 1);
            return fail(*failure);
        }
        buffer_.append(start, counted);
        request_bytes_ += counted;
        pos += counted;
        if (newline) {
            end_line(buffer_.size() - 1);
            if (error_) return;
            line_start_ = buffer_.size();
        }
    }
}

void AttrRequestParser::end_line(std::size_t line_end) {
    char* line = buffer_.data() + line_start_;
    std::size_t size = line_end - line_start_;
    if (size > 0 && line[size - 1] == '\r') --size;
    if (size == 0) {
        ready_.push_back(Ready{entries_.size(), buffer_.size()});
        request_entry_ = entries_.size();
        request_bytes_ = 0;
        return;
    }
    const auto* eq_ptr = static_cast<const char*>(std::memchr(line, '=', size));
    if (eq_ptr == nullptr) return fail(AttrError::MissingEquals);
    const auto eq = static_cast<std::size_t>(eq_ptr - line);
    if (eq == 0) return fail(AttrError::EmptyName);
    if (entries_.size() - request_entry_ >= limits_.max_attributes) {
        return fail(AttrError::TooManyAttributes);
    }
    std::size_t value_size = size - eq - 1;
    if (encoding_ == AttrEncoding::Escaped) {
        const auto decoded = unescape_in_place(line + eq + 1, value_size);
        if (!decoded) return fail(AttrError::BadEscape);
        value_size = *decoded;
    }
    entries_.push_back(Entry{line_start_, eq, line_start_ + eq + 1, value_size});
}

void AttrRequestParser::fail(AttrError error) {
    error_ = error;
    // The partial request is garbage now; keep only the complete ones.
    if (ready_.size() == taken_) {
        buffer_ = std::string();
        entries_ = std::vector<Entry>();
        ready_.clear();
        taken_ = taken_entries_ = taken_bytes_ = 0;
    } else {
        buffer_.resize(ready_.back().end_byte);
        entries_.resize(ready_.back().end_entry);
    }
    line_start_ = buffer_.size();
    request_entry_ = entries_.size();
}

void AttrRequestParser::compact() {
    if (taken_ == 0) return;
    // Moving the rest costs its size: do it only when at least as many bytes
    // go, so the work stays linear in the input.
    if (taken_bytes_ < buffer_.size() - taken_bytes_) return;
    buffer_.erase(0, taken_bytes_);
    entries_.erase(entries_.begin(),
                   entries_.begin() + static_cast<std::ptrdiff_t>(taken_entries_));
    for (Entry& e : entries_) {
        e.name_offset -= taken_bytes_;
        e.value_offset -= taken_bytes_;
    }
    ready_.erase(ready_.begin(), ready_.begin() + static_cast<std::ptrdiff_t>(taken_));
    for (Ready& r : ready_) {
        r.end_entry -= taken_entries_;
        r.end_byte -= taken_bytes_;
    }
    line_start_ -= taken_bytes_;
    request_entry_ -= taken_entries_;
    taken_ = taken_entries_ = taken_bytes_ = 0;
}

std::optional<AttrRequestView> AttrRequestParser::next_view() {
    if (taken_ == ready_.size()) return std::nullopt;
    const Ready& r = ready_[taken_];
    view_.clear();
    for (std::size_t i = taken_entries_; i < r.end_entry; ++i) {
        const Entry& e = entries_[i];
        view_.emplace_back(std::string_view(buffer_.data() + e.name_offset, e.name_size),
                           std::string_view(buffer_.data() + e.value_offset, e.value_size));
    }
    taken_entries_ = r.end_entry;
    taken_bytes_ = r.end_byte;
    ++taken_;
    return AttrRequestView{view_};
}

std::optional<AttrRequest> AttrRequestParser::next() {
    const auto view = next_view();
    if (!view) return std::nullopt;
    return view->to_owned();
}

std::string encode_attributes(const AttrList& attributes, AttrEncoding encoding) {
    std::string out;
    for (const auto& [name, value] : attributes) {
        if (name.empty() || name.find_first_of(std::string_view("=\n\0", 3)) != std::string::npos) {
            throw std::invalid_argument("attribute name cannot be framed");
        }
        out += name;
        out.push_back('=');
        for (const char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if (encoding == AttrEncoding::Escaped && needs_escape(u)) {
                out.push_back('%');
                out.push_back(kHexUpper[u >> 4]);
                out.push_back(kHexUpper[u & 0x0F]);
            } else if (encoding == AttrEncoding::Raw && (c == '\r' || c == '\n' || c == '\0')) {
                out.push_back(' ');
            } else {
                out.push_back(c);
            }
        }
        out.push_back('\n');
    }
    out.push_back('\n');
    return out;
}

}  // namespace boxwarden
