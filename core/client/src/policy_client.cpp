#include "boxwarden/policy_client.h"

namespace boxwarden::client {

AttrList policy_rcpt_request(const std::string& recipient, const std::string& sender,
                             const std::string& sasl_username, const std::string& instance) {
    return {{"request", "smtpd_access_policy"},
            {"protocol_state", "RCPT"},
            {"protocol_name", "ESMTP"},
            {"client_address", "127.0.0.1"},
            {"client_name", "localhost"},
            {"helo_name", "client.example.org"},
            {"queue_id", ""},
            {"instance", instance},
            {"sender", sender},
            {"recipient", recipient},
            {"size", "0"},
            {"sasl_username", sasl_username}};
}

PolicyClient::PolicyClient(std::string target, std::chrono::milliseconds timeout)
    : conn_(std::move(target), AttrEncoding::Raw), timeout_(timeout) {}

PolicyResult PolicyClient::ask(const AttrList& request) {
    const std::string bytes = encode_attributes(request, AttrEncoding::Raw);
    const Deadline deadline = deadline_in(timeout_);
    PolicyResult out;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (conn_.is_open() && conn_.peer_closed()) conn_.close();
        if (!conn_.is_open()) {
            out.io = conn_.connect(deadline);
            if (!out.io.ok()) return out;
        }
        out.io = conn_.send(bytes, deadline);
        if (out.io.status == IoStatus::Closed) continue;
        if (!out.io.ok()) return out;
        ReplyResult got = conn_.read_reply(deadline);
        out.io = got.io;
        if (out.io.status == IoStatus::Closed) continue;
        if (out.io.status == IoStatus::Timeout) conn_.close();  // the late reply is stale
        if (!out.io.ok()) return out;
        if (auto action = got.reply.find("action")) {
            out.action = std::string(*action);
        } else {
            conn_.close();
            out.io = IoResult{IoStatus::Error, "policy reply without action="};
        }
        return out;
    }
    return out;
}

}  // namespace boxwarden::client
