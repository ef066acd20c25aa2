#pragma once
// What the request handlers may ask about the configuration: a read-only view
// of the cached database rows. The cache implements it (under its read lock);
// unit tests implement it with a few fixed rows, so the decision logic is
// tested without a database.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxwarden/clock.h"
#include "boxwarden/freshness.h"

namespace boxwarden {

struct OutOfOfficeFacts {
    bool enabled = false;
    std::string subject;
    std::string body;
    std::optional<TimePoint> start;
    std::optional<TimePoint> end;
    int interval_days = 7;
};

struct MailboxFacts {
    std::uint32_t id = 0;
    std::string address;
    bool active = true;
    std::optional<TimePoint> deactivated_at;
    std::string email_name;
    bool vip = false;
    OutOfOfficeFacts ooo;
};

// What a delivery decision needs of a mailbox: nothing that has to be copied.
struct MailboxState {
    bool active = true;
    std::optional<TimePoint> deactivated_at;
};

struct UserFacts {
    std::uint32_t id = 0;
    std::string login;
    std::string display_name;
    bool activity_access = false;
    std::vector<std::string> mailboxes;  // addresses currently assigned, sorted
};

class DirectoryView {
  public:
    virtual ~DirectoryView() = default;
    // Arguments are normalised (lowercase, no extension).
    virtual bool domain_hosted(std::string_view domain) const = 0;
    virtual std::optional<MailboxFacts> mailbox(std::string_view address) const = 0;
    // The mailbox's delivery state, nullopt when there is no such mailbox.
    // The policy path asks only this; views should answer it without copying
    // the mailbox's strings (the default does, via mailbox()).
    virtual std::optional<MailboxState> mailbox_state(std::string_view address) const {
        auto m = mailbox(address);
        if (!m) return std::nullopt;
        return MailboxState{m->active, m->deactivated_at};
    }
    virtual std::optional<UserFacts> user(std::string_view login) const = 0;
    // True when the user with this login currently holds an open assignment
    // to the mailbox with this address.
    virtual bool assigned(std::string_view login, std::string_view address) const = 0;
    // Setting delivery_grace_seconds.
    virtual Seconds delivery_grace() const = 0;
};

struct CacheCounts {
    std::size_t domains = 0;
    std::size_t mailboxes = 0;
    std::size_t users = 0;
    std::size_t assignments = 0;
    std::uint64_t version = 0;
};

// Where handlers get a view from, and how fresh it is (the cache, or a fake).
class DirectorySource {
  public:
    virtual ~DirectorySource() = default;
    // Runs fn with a consistent view (held only for the call).
    virtual void with_view(const std::function<void(const DirectoryView&)>& fn) const = 0;
    virtual Freshness freshness(Seconds cutoff) const = 0;
    // Time since the last successful sync; nullopt = never synced.
    virtual std::optional<std::chrono::milliseconds> age() const = 0;
    virtual CacheCounts counts() const = 0;
};

}  // namespace boxwarden
