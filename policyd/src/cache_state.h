#pragma once
// The rows of one cache generation, stored compactly for a million mailboxes:
// records in vectors, addressed through SlotIndex tables; a mailbox keeps its
// local part and domain id (not the full address) and its out-of-office text
// only when it has any.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "boxwarden/directory.h"
#include "boxwarden/model.h"
#include "slot_index.h"

namespace boxwarden::policyd {

// What most mailboxes do not have; kept on the heap only when present.
struct MailboxExtras {
    std::string email_name;
    std::unique_ptr<OutOfOfficeFacts> ooo;  // null: out-of-office never configured
    std::vector<std::uint32_t> users;       // ids of currently assigned users
    bool empty() const { return email_name.empty() && !ooo && users.empty(); }
};

struct CachedMailbox {
    std::string local_part;
    std::unique_ptr<MailboxExtras> extras;  // null: no email name, out-of-office, users
    std::int64_t deactivated_us = 0;        // valid when has_deactivated
    std::uint32_t id = 0;
    std::uint32_t domain_id = 0;
    bool active = true;
    bool vip = false;
    bool has_deactivated = false;
    bool live = false;  // false: a free slot

    const std::vector<std::uint32_t>& users() const {
        static const std::vector<std::uint32_t> none;
        return extras ? extras->users : none;
    }
    MailboxExtras& mutable_extras() {
        if (!extras) extras = std::make_unique<MailboxExtras>();
        return *extras;
    }
    // Drops the extras again once they hold nothing.
    void compact() {
        if (extras && extras->empty()) extras.reset();
    }
};

struct CachedUser {
    std::uint32_t id = 0;
    std::string login;
    std::string display_name;
    bool activity_access = false;
    std::vector<std::uint32_t> mailboxes;  // ids of currently assigned mailboxes
};

struct CacheState {
    std::uint64_t version = 0;
    std::unordered_map<std::uint32_t, std::string> domain_by_id;
    std::unordered_map<std::string, std::uint32_t> domain_by_name;
    std::vector<CachedMailbox> mailboxes;
    std::vector<std::uint32_t> free_slots;
    SlotIndex mailbox_by_id;
    SlotIndex mailbox_by_address;  // key: (domain_id, local_part)
    std::unordered_map<std::uint32_t, CachedUser> users;
    std::unordered_map<std::string, std::uint32_t> user_by_login;
    Settings settings;
    std::size_t mailbox_count = 0;
    std::size_t assignment_count = 0;

    void upsert_domain(std::uint32_t id, std::string name);
    void erase_domain(std::uint32_t id);

    // Keeps the mailbox's current assignments when it already exists.
    void upsert_mailbox(CachedMailbox row);
    void erase_mailbox(std::uint32_t id);
    const CachedMailbox* mailbox_by_key(std::uint32_t domain_id, std::string_view local) const;
    const CachedMailbox* find_mailbox(std::uint32_t id) const;
    // Parses "local@domain" against the domain table.
    const CachedMailbox* find_mailbox(std::string_view address) const;
    std::string address_of(const CachedMailbox& m) const;

    // Keeps the user's current assignments when it already exists.
    void upsert_user(CachedUser row);
    void erase_user(std::uint32_t id);
    const CachedUser* find_user(std::string_view login) const;

    // Replaces the set of users currently assigned to a mailbox.
    void set_assignments(std::uint32_t mailbox_id, std::vector<std::uint32_t> user_ids);
    // Adds one open assignment (full load).
    void add_assignment(std::uint32_t mailbox_id, std::uint32_t user_id);

    MailboxFacts facts(const CachedMailbox& m) const;
    void reserve_mailboxes(std::size_t n);

  private:
    std::size_t key_hash(std::uint32_t domain_id, std::string_view local) const;
    CachedMailbox* mutable_mailbox(std::uint32_t id);
};

}  // namespace boxwarden::policyd
