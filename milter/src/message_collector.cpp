#include "message_collector.h"

#include <strings.h>

namespace boxwarden::milter {

namespace {

bool name_is(std::string_view name, std::string_view wanted) {
    return name.size() == wanted.size() &&
           ::strncasecmp(name.data(), wanted.data(), wanted.size()) == 0;
}

std::string capped(std::string_view value, std::size_t max) {
    return std::string(value.substr(0, max));
}

void assign_capped(std::string& out, std::string_view value, std::size_t max) {
    out.assign(value.substr(0, max));
}

}  // namespace

std::string strip_angle_brackets(std::string_view address) {
    while (!address.empty() && (address.front() == ' ' || address.front() == '\t'))
        address.remove_prefix(1);
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
        address = address.substr(1, address.size() - 2);
    return std::string(address);
}

void MessageCollector::start(std::string_view envelope_sender, std::string_view sasl_login) {
    // Cleared, not replaced: the next message of the connection reuses the
    // buffers instead of allocating them again.
    recipients_.clear();
    recipients_dropped_ = 0;
    from_values_.clear();
    from_count_ = 0;
    subject_.clear();
    message_id_.clear();
    has_subject_ = has_message_id_ = false;
    sender_ = strip_angle_brackets(envelope_sender).substr(0, 320 + 1);
    login_.assign(sasl_login.substr(0, 256));
}

void MessageCollector::add_recipient(std::string_view recipient) {
    if (recipients_.size() >= kMaxRecipients) {
        ++recipients_dropped_;
        return;
    }
    recipients_.push_back(strip_angle_brackets(recipient).substr(0, 320 + 1));
}

void MessageCollector::add_header(std::string_view name, std::string_view value) {
    if (name_is(name, "From")) {
        ++from_count_;
        if (from_values_.size() < kMaxFromHeaders)
            from_values_.push_back(capped(value, kMaxFromValueBytes));
    } else if (name_is(name, "Subject") && !has_subject_) {
        has_subject_ = true;
        assign_capped(subject_, value, kMaxSubjectBytes);
    } else if (name_is(name, "Message-ID") && !has_message_id_) {
        has_message_id_ = true;
        assign_capped(message_id_, value, kMaxMessageIdBytes);
    }
}

}  // namespace boxwarden::milter
