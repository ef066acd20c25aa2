#pragma once
// A DirectoryView / DirectorySource with fixed rows, for unit tests of the
// policyd decision logic and request handlers.
#include <algorithm>
#include <map>
#include <set>

#include "boxwarden/directory.h"

namespace boxwarden::policyd::testing {

class FakeDirectory final : public DirectoryView, public DirectorySource {
  public:
    // Transparent comparators: look-ups by string_view allocate nothing
    // (the allocation tests answer requests against this directory).
    std::set<std::string, std::less<>> domains{"example.de"};
    std::map<std::string, MailboxFacts, std::less<>> mailboxes;
    std::map<std::string, UserFacts> users;
    std::set<std::pair<std::string, std::string>> assignments;  // (login, address)
    Seconds grace{0};
    Freshness fresh{true, Seconds{0}, Seconds{1800}};
    // The policy path asks only mailbox_state(), which copies no strings.
    mutable int mailbox_calls = 0;
    mutable int mailbox_state_calls = 0;

    MailboxFacts& add_mailbox(const std::string& address, bool active = true) {
        MailboxFacts m;
        m.id = static_cast<std::uint32_t>(mailboxes.size() + 1);
        m.address = address;
        m.active = active;
        return mailboxes[address] = m;
    }
    void add_user(const std::string& login, const std::vector<std::string>& assigned = {}) {
        UserFacts u;
        u.id = static_cast<std::uint32_t>(users.size() + 1);
        u.login = login;
        u.display_name = "User " + login;
        u.mailboxes = assigned;
        std::sort(u.mailboxes.begin(), u.mailboxes.end());
        users[login] = u;
        for (const auto& a : assigned) assignments.insert({login, a});
    }

    bool domain_hosted(std::string_view d) const override {
        return domains.find(d) != domains.end();
    }
    std::optional<MailboxFacts> mailbox(std::string_view a) const override {
        ++mailbox_calls;
        auto it = mailboxes.find(a);
        if (it == mailboxes.end()) return std::nullopt;
        return it->second;
    }
    std::optional<MailboxState> mailbox_state(std::string_view a) const override {
        ++mailbox_state_calls;
        auto it = mailboxes.find(a);
        if (it == mailboxes.end()) return std::nullopt;
        return MailboxState{it->second.active, it->second.deactivated_at};
    }
    std::optional<UserFacts> user(std::string_view login) const override {
        auto it = users.find(std::string(login));
        if (it == users.end()) return std::nullopt;
        return it->second;
    }
    bool assigned(std::string_view login, std::string_view address) const override {
        return assignments.count({std::string(login), std::string(address)}) > 0;
    }
    Seconds delivery_grace() const override { return grace; }

    void with_view(const std::function<void(const DirectoryView&)>& fn) const override {
        fn(*this);
    }
    Freshness freshness(Seconds cutoff) const override {
        Freshness f = fresh;
        f.cutoff = cutoff;
        return f;
    }
    std::optional<std::chrono::milliseconds> age() const override {
        if (!fresh.synced) return std::nullopt;
        return std::chrono::duration_cast<std::chrono::milliseconds>(fresh.age);
    }
    CacheCounts counts() const override {
        return {domains.size(), mailboxes.size(), users.size(), assignments.size(), 42};
    }
};

}  // namespace boxwarden::policyd::testing
