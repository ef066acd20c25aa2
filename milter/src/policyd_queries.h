#pragma once
// The milter's questions to policyd, behind an interface so the session is
// unit tested with a fake. PolicydClientQueries asks them through one
// boxwarden::client::PolicydClient (one per libmilter connection; not
// thread-safe, but one connection's callbacks never run at once).
#include <memory>
#include <string>

#include "boxwarden/policyd_client.h"

namespace boxwarden::milter {

struct SubmissionLookup {
    client::Result<client::MailboxReply> sender;  // request=mailbox for the envelope sender
    client::Result<client::UserReply> user;       // request=user for the SASL login
};

class PolicydQueries {
  public:
    virtual ~PolicydQueries() = default;
    // Both look-ups of a submission (pipelined: one round trip).
    virtual SubmissionLookup lookup(const std::string& envelope_sender,
                                    const std::string& sasl_login) = 0;
    virtual client::Result<client::MailboxReply> mailbox(const std::string& address) = 0;
    virtual client::Result<client::RecordedReply> record_activity(
        const client::RecordActivity& activity) = 0;
};

class PolicydClientQueries final : public PolicydQueries {
  public:
    PolicydClientQueries(std::string target, std::chrono::milliseconds timeout)
        : client_(std::move(target), timeout) {}
    SubmissionLookup lookup(const std::string& envelope_sender,
                            const std::string& sasl_login) override;
    client::Result<client::MailboxReply> mailbox(const std::string& address) override;
    client::Result<client::RecordedReply> record_activity(
        const client::RecordActivity& activity) override;

  private:
    client::PolicydClient client_;
};

}  // namespace boxwarden::milter
