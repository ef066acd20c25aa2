#pragma once
// One client connection to a policyd socket: connect, send and read framed
// replies, every step bounded by a deadline (poll-based; the socket is
// non-blocking). The only socket code the clients share: PolicydClient
// (internal protocol), PolicyClient (Postfix policy protocol) and the test
// and benchmark tools all use it.
//
// Not thread-safe: one Connection belongs to one thread at a time.
// Never throws for I/O problems; results carry an error text for logs.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "boxwarden/attr_codec.h"

namespace boxwarden::client {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline deadline_in(std::chrono::milliseconds timeout) {
    return std::chrono::steady_clock::now() + timeout;
}

enum class IoStatus {
    Ok,
    Closed,   // the peer closed the connection (or reset it)
    Timeout,  // the deadline passed
    Error,    // anything else: connect refused, bad target, garbled reply
};

struct IoResult {
    IoStatus status = IoStatus::Ok;
    std::string error;  // for logs; empty when Ok
    bool ok() const { return status == IoStatus::Ok; }
};

struct ReplyResult {
    IoResult io;
    AttrRequest reply;  // valid when io.ok()
};

class Connection {
  public:
    // target: "unix:/path", "inet:host:port" (IPv4 or IPv6 literal, or a
    // name), or a plain path (unix socket). Replies are read with `encoding`
    // and `limits`; a reply beyond them is an error (the connection closes).
    Connection(std::string target, AttrEncoding encoding, AttrLimits limits = {});
    ~Connection();
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    const std::string& target() const { return target_; }
    bool is_open() const { return fd_ >= 0; }
    // The socket, for callers that wait on several connections (epoll).
    int fd() const { return fd_; }

    IoResult connect(Deadline deadline);
    void close();

    // True when the open connection is already known dead: the peer closed
    // it (end of file or reset waiting unread) while nothing was pending.
    // Used before reusing a connection, so a request is never written into a
    // connection the daemon has already closed (e.g. after idle_timeout).
    bool peer_closed();

    // Writes all bytes. On Closed nothing after the failure reached the peer
    // as a complete request, so resending is safe.
    IoResult send(std::string_view bytes, Deadline deadline);

    // The next reply, in order. Replies already buffered are returned first.
    // A Timeout leaves the connection open (a caller that gives up on the
    // reply must close it, or the late reply is taken for the next one);
    // Closed and Error close it.
    ReplyResult read_reply(Deadline deadline);

    // Non-blocking: reads what is available (one read) and returns a reply
    // when one is complete; nullopt when none is yet. For event loops.
    std::optional<ReplyResult> read_reply_nowait();

    // Waits until the peer closes the connection (true) or the deadline
    // passes (false). Bytes that arrive meanwhile are discarded.
    bool wait_closed(Deadline deadline);

  private:
    std::optional<ReplyResult> take_buffered();
    IoResult fill(int wait_ms);
    IoResult fail(IoStatus status, std::string error);

    std::string target_;
    AttrEncoding encoding_;
    AttrLimits limits_;
    int fd_ = -1;
    std::unique_ptr<AttrRequestParser> parser_;  // replies of the current connection
};

// Milliseconds left until `deadline` (0 when past), for poll().
int remaining_ms(Deadline deadline);

}  // namespace boxwarden::client
