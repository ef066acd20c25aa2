#pragma once
// The facts of one message as the callbacks deliver them, with bounded
// memory: a connection holds at most kMaxStoredHeaderBytes of header values
// and kMaxRecipients recipients, whatever the client sends. Pure.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace boxwarden::milter {

inline constexpr std::size_t kMaxRecipients = 1000;           // Postfix's smtpd_recipient_limit
inline constexpr std::size_t kMaxFromValueBytes = 65 * 1024;  // > the parser's 64 KiB limit
inline constexpr std::size_t kMaxFromHeaders = 100;
inline constexpr std::size_t kMaxSubjectBytes = 8 * 1024;
inline constexpr std::size_t kMaxMessageIdBytes = 998;

class MessageCollector {
  public:
    // MAIL FROM: a new message starts (the previous one's facts are dropped).
    void start(std::string_view envelope_sender, std::string_view sasl_login);
    void add_recipient(std::string_view recipient);
    void add_header(std::string_view name, std::string_view value);

    const std::string& envelope_sender() const { return sender_; }
    const std::string& sasl_login() const { return login_; }
    const std::vector<std::string>& recipients() const { return recipients_; }
    // Recipients beyond kMaxRecipients (counted, not kept).
    std::size_t recipients_dropped() const { return recipients_dropped_; }
    // Every From value, each cut at kMaxFromValueBytes (a cut value fails
    // to parse as too long); at most kMaxFromHeaders are kept.
    const std::vector<std::string>& from_values() const { return from_values_; }
    std::size_t from_count() const { return from_count_; }
    const std::string& subject() const { return subject_; }        // first Subject, raw
    const std::string& message_id() const { return message_id_; }  // first Message-ID
    bool has_message_id() const { return has_message_id_; }

  private:
    std::string sender_, login_;
    std::vector<std::string> recipients_;
    std::size_t recipients_dropped_ = 0;
    std::vector<std::string> from_values_;
    std::size_t from_count_ = 0;
    std::string subject_, message_id_;
    bool has_subject_ = false, has_message_id_ = false;
};

// "<a@b>" -> "a@b" (libmilter passes MAIL/RCPT arguments with brackets).
std::string strip_angle_brackets(std::string_view address);

}  // namespace boxwarden::milter
