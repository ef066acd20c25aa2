#include "cache_state.h"

#include <algorithm>
#include <functional>

namespace boxwarden::policyd {

namespace {

std::size_t id_hash(std::uint32_t id) {
    return std::hash<std::uint64_t>{}(id);
}

void erase_value(std::vector<std::uint32_t>& v, std::uint32_t x) {
    v.erase(std::remove(v.begin(), v.end(), x), v.end());
}

}  // namespace

std::size_t CacheState::key_hash(std::uint32_t domain_id, std::string_view local) const {
    return std::hash<std::string_view>{}(local) ^ (std::size_t{domain_id} * 0x9E3779B1u);
}

void CacheState::upsert_domain(std::uint32_t id, std::string name) {
    erase_domain(id);
    domain_by_name[name] = id;
    domain_by_id.emplace(id, std::move(name));
}

void CacheState::erase_domain(std::uint32_t id) {
    auto it = domain_by_id.find(id);
    if (it == domain_by_id.end()) return;
    auto by_name = domain_by_name.find(it->second);
    if (by_name != domain_by_name.end() && by_name->second == id) domain_by_name.erase(by_name);
    domain_by_id.erase(it);
}

void CacheState::reserve_mailboxes(std::size_t n) {
    mailboxes.reserve(n);
    mailbox_by_id.reserve(n, [&](std::uint32_t s) { return id_hash(mailboxes[s].id); });
    mailbox_by_address.reserve(n, [&](std::uint32_t s) {
        return key_hash(mailboxes[s].domain_id, mailboxes[s].local_part);
    });
}

CachedMailbox* CacheState::mutable_mailbox(std::uint32_t id) {
    auto slot =
        mailbox_by_id.find(id_hash(id), [&](std::uint32_t s) { return mailboxes[s].id == id; });
    return slot ? &mailboxes[*slot] : nullptr;
}

const CachedMailbox* CacheState::find_mailbox(std::uint32_t id) const {
    return const_cast<CacheState*>(this)->mutable_mailbox(id);
}

const CachedMailbox* CacheState::mailbox_by_key(std::uint32_t domain_id,
                                                std::string_view local) const {
    auto slot = mailbox_by_address.find(key_hash(domain_id, local), [&](std::uint32_t s) {
        return mailboxes[s].domain_id == domain_id && mailboxes[s].local_part == local;
    });
    return slot ? &mailboxes[*slot] : nullptr;
}

const CachedMailbox* CacheState::find_mailbox(std::string_view address) const {
    const std::size_t at = address.rfind('@');
    if (at == std::string_view::npos) return nullptr;
    auto domain = domain_by_name.find(std::string(address.substr(at + 1)));
    if (domain == domain_by_name.end()) return nullptr;
    return mailbox_by_key(domain->second, address.substr(0, at));
}

std::string CacheState::address_of(const CachedMailbox& m) const {
    auto domain = domain_by_id.find(m.domain_id);
    return m.local_part + "@" + (domain == domain_by_id.end() ? std::string() : domain->second);
}

void CacheState::upsert_mailbox(CachedMailbox row) {
    row.live = true;
    const auto hash_of_id = [&](std::uint32_t s) { return id_hash(mailboxes[s].id); };
    const auto hash_of_key = [&](std::uint32_t s) {
        return key_hash(mailboxes[s].domain_id, mailboxes[s].local_part);
    };
    if (CachedMailbox* existing = mutable_mailbox(row.id)) {
        const auto slot = static_cast<std::uint32_t>(existing - mailboxes.data());
        mailbox_by_address.erase(hash_of_key(slot), slot);
        if (!existing->users().empty())
            row.mutable_extras().users = std::move(existing->extras->users);
        *existing = std::move(row);
        mailbox_by_address.insert(hash_of_key(slot), slot, hash_of_key);
        return;
    }
    std::uint32_t slot;
    if (!free_slots.empty()) {
        slot = free_slots.back();
        free_slots.pop_back();
        mailboxes[slot] = std::move(row);
    } else {
        slot = static_cast<std::uint32_t>(mailboxes.size());
        mailboxes.push_back(std::move(row));
    }
    mailbox_by_id.insert(hash_of_id(slot), slot, hash_of_id);
    mailbox_by_address.insert(hash_of_key(slot), slot, hash_of_key);
    ++mailbox_count;
}

void CacheState::erase_mailbox(std::uint32_t id) {
    CachedMailbox* m = mutable_mailbox(id);
    if (!m) return;
    set_assignments(id, {});
    const auto slot = static_cast<std::uint32_t>(m - mailboxes.data());
    mailbox_by_address.erase(key_hash(m->domain_id, m->local_part), slot);
    mailbox_by_id.erase(id_hash(id), slot);
    mailboxes[slot] = CachedMailbox{};
    free_slots.push_back(slot);
    --mailbox_count;
}

void CacheState::upsert_user(CachedUser row) {
    auto it = users.find(row.id);
    if (it != users.end()) {
        row.mailboxes = std::move(it->second.mailboxes);
        user_by_login.erase(it->second.login);
        user_by_login[row.login] = row.id;
        it->second = std::move(row);
        return;
    }
    user_by_login[row.login] = row.id;
    users.emplace(row.id, std::move(row));
}

void CacheState::erase_user(std::uint32_t id) {
    auto it = users.find(id);
    if (it == users.end()) return;
    for (std::uint32_t mailbox_id : it->second.mailboxes)
        if (CachedMailbox* m = mutable_mailbox(mailbox_id)) {
            erase_value(m->mutable_extras().users, id);
            m->compact();
            --assignment_count;
        }
    auto by_login = user_by_login.find(it->second.login);
    if (by_login != user_by_login.end() && by_login->second == id) user_by_login.erase(by_login);
    users.erase(it);
}

const CachedUser* CacheState::find_user(std::string_view login) const {
    auto it = user_by_login.find(std::string(login));
    if (it == user_by_login.end()) return nullptr;
    auto user = users.find(it->second);
    return user == users.end() ? nullptr : &user->second;
}

void CacheState::set_assignments(std::uint32_t mailbox_id, std::vector<std::uint32_t> user_ids) {
    CachedMailbox* m = mutable_mailbox(mailbox_id);
    if (!m) return;
    for (std::uint32_t uid : m->users()) {
        auto u = users.find(uid);
        if (u != users.end()) erase_value(u->second.mailboxes, mailbox_id);
    }
    assignment_count -= m->users().size();
    if (m->extras) {
        m->extras->users.clear();
        m->extras->users.shrink_to_fit();
        m->compact();
    }
    for (std::uint32_t uid : user_ids) add_assignment(mailbox_id, uid);
}

void CacheState::add_assignment(std::uint32_t mailbox_id, std::uint32_t user_id) {
    CachedMailbox* m = mutable_mailbox(mailbox_id);
    auto u = users.find(user_id);
    // A consistent snapshot always has both; skip rather than dangle.
    if (!m || u == users.end()) return;
    const auto& current = m->users();
    if (std::find(current.begin(), current.end(), user_id) != current.end()) return;
    m->mutable_extras().users.push_back(user_id);
    u->second.mailboxes.push_back(mailbox_id);
    ++assignment_count;
}

MailboxFacts CacheState::facts(const CachedMailbox& m) const {
    MailboxFacts f;
    f.id = m.id;
    f.address = address_of(m);
    f.active = m.active;
    if (m.has_deactivated)
        f.deactivated_at = TimePoint{std::chrono::microseconds(m.deactivated_us)};
    if (m.extras) f.email_name = m.extras->email_name;
    f.vip = m.vip;
    if (m.extras && m.extras->ooo) f.ooo = *m.extras->ooo;
    return f;
}

}  // namespace boxwarden::policyd
