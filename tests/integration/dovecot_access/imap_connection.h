#pragma once
// A minimal IMAP client on a raw socket, for what imaplib cannot show well:
// a session held open while the test changes things, and the exact moment
// the server says BYE and hangs up.
#include <string>

namespace boxwarden::testing {

class ImapConnection {
  public:
    explicit ImapConnection(int port);
    ~ImapConnection();
    ImapConnection(const ImapConnection&) = delete;
    ImapConnection& operator=(const ImapConnection&) = delete;

    bool connected() const { return fd_ >= 0; }
    // Reads until `needle` appears (in what was not consumed yet), EOF or
    // the timeout; returns everything read so far and keeps it.
    std::string read_until(const std::string& needle, int timeout_ms = 10000);
    bool send(const std::string& line);
    // Sends "TAG COMMAND" and reads until the tagged reply; returns it all.
    std::string command(const std::string& tag, const std::string& command, int timeout_ms = 10000);
    bool eof() const { return eof_; }
    const std::string& received() const { return buffer_; }

  private:
    int fd_ = -1;
    std::string buffer_;
    std::size_t consumed_ = 0;
    bool eof_ = false;
};

}  // namespace boxwarden::testing
