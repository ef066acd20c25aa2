#include "policyd_queries.h"

namespace boxwarden::milter {

SubmissionLookup PolicydClientQueries::lookup(const std::string& envelope_sender,
                                              const std::string& sasl_login) {
    std::vector<client::RawReply> replies = client_.pipeline(
        {client::mailbox_request(envelope_sender), client::user_request(sasl_login)});
    SubmissionLookup out;
    if (replies.size() != 2) {
        // The client answers every request; this is a bug guard, not a path.
        out.sender.kind = out.user.kind = client::ResultKind::Tempfail;
        out.sender.error = out.user.error =
            "pipeline answered " + std::to_string(replies.size()) + " of 2 requests";
        return out;
    }
    out.sender = client::decode_mailbox(std::move(replies[0]));
    out.user = client::decode_user(std::move(replies[1]));
    return out;
}

client::Result<client::MailboxReply> PolicydClientQueries::mailbox(const std::string& address) {
    return client_.mailbox(address);
}

client::Result<client::RecordedReply> PolicydClientQueries::record_activity(
    const client::RecordActivity& activity) {
    return client_.record_activity(activity);
}

}  // namespace boxwarden::milter
