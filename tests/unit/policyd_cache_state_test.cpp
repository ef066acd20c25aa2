// The compact cache storage: index, upserts, renames, deletes, assignments.
#include <gtest/gtest.h>

#include "cache_state.h"

namespace boxwarden::policyd {
namespace {

CachedMailbox mailbox(std::uint32_t id, std::uint32_t domain, const std::string& local,
                      bool active = true) {
    CachedMailbox m;
    m.id = id;
    m.domain_id = domain;
    m.local_part = local;
    m.active = active;
    return m;
}

CachedUser user(std::uint32_t id, const std::string& login) {
    CachedUser u;
    u.id = id;
    u.login = login;
    return u;
}

TEST(PolicydCacheState, FindsMailboxesByAddressAndId) {
    CacheState st;
    st.upsert_domain(1, "example.de");
    st.upsert_domain(2, "example.test");
    st.upsert_mailbox(mailbox(10, 1, "info"));
    st.upsert_mailbox(mailbox(11, 2, "info"));
    ASSERT_NE(st.find_mailbox("info@example.de"), nullptr);
    EXPECT_EQ(st.find_mailbox("info@example.de")->id, 10u);
    EXPECT_EQ(st.find_mailbox("info@example.test")->id, 11u);
    EXPECT_EQ(st.find_mailbox("info@example.org"), nullptr);
    EXPECT_EQ(st.find_mailbox("sales@example.de"), nullptr);
    EXPECT_EQ(st.address_of(*st.find_mailbox(std::uint32_t{11})), "info@example.test");
    EXPECT_EQ(st.mailbox_count, 2u);
}

TEST(PolicydCacheState, UpdateRenamesAndKeepsAssignments) {
    CacheState st;
    st.upsert_domain(1, "example.de");
    st.upsert_user(user(5, "anna"));
    st.upsert_mailbox(mailbox(10, 1, "info"));
    st.set_assignments(10, {5});
    st.upsert_mailbox(mailbox(10, 1, "kontakt", false));
    EXPECT_EQ(st.find_mailbox("info@example.de"), nullptr);
    const CachedMailbox* m = st.find_mailbox("kontakt@example.de");
    ASSERT_NE(m, nullptr);
    EXPECT_FALSE(m->active);
    EXPECT_EQ(m->users(), std::vector<std::uint32_t>{5});
    EXPECT_EQ(st.find_user("anna")->mailboxes, std::vector<std::uint32_t>{10});
    EXPECT_EQ(st.assignment_count, 1u);
}

TEST(PolicydCacheState, AssignmentsFollowReplacement) {
    CacheState st;
    st.upsert_domain(1, "example.de");
    st.upsert_user(user(5, "anna"));
    st.upsert_user(user(6, "bob"));
    st.upsert_mailbox(mailbox(10, 1, "info"));
    st.set_assignments(10, {5, 6});
    EXPECT_EQ(st.assignment_count, 2u);
    st.set_assignments(10, {6});
    EXPECT_TRUE(st.find_user("anna")->mailboxes.empty());
    EXPECT_EQ(st.find_user("bob")->mailboxes, std::vector<std::uint32_t>{10});
    EXPECT_EQ(st.assignment_count, 1u);
    st.upsert_user(user(6, "robert"));  // login renamed
    EXPECT_EQ(st.find_user("bob"), nullptr);
    EXPECT_EQ(st.find_user("robert")->mailboxes, std::vector<std::uint32_t>{10});
    st.set_assignments(10, {});
    EXPECT_EQ(st.find_mailbox(std::uint32_t{10})->extras, nullptr);  // nothing kept for nothing
    EXPECT_EQ(st.assignment_count, 0u);
}

TEST(PolicydCacheState, EraseFreesTheSlotForReuse) {
    CacheState st;
    st.upsert_domain(1, "example.de");
    st.upsert_mailbox(mailbox(10, 1, "a"));
    st.upsert_mailbox(mailbox(11, 1, "b"));
    st.erase_mailbox(10);
    EXPECT_EQ(st.find_mailbox("a@example.de"), nullptr);
    EXPECT_EQ(st.find_mailbox(std::uint32_t{10}), nullptr);
    EXPECT_EQ(st.mailbox_count, 1u);
    st.upsert_mailbox(mailbox(12, 1, "c"));
    EXPECT_EQ(st.mailboxes.size(), 2u);  // slot reused
    EXPECT_EQ(st.find_mailbox("c@example.de")->id, 12u);
    EXPECT_EQ(st.find_mailbox("b@example.de")->id, 11u);
}

TEST(PolicydCacheState, ManyMailboxesSurviveGrowthAndChurn) {
    CacheState st;
    st.upsert_domain(1, "example.de");
    for (std::uint32_t i = 1; i <= 20000; ++i)
        st.upsert_mailbox(mailbox(i, 1, "user" + std::to_string(i)));
    for (std::uint32_t i = 1; i <= 20000; i += 2) st.erase_mailbox(i);
    for (std::uint32_t i = 20001; i <= 25000; ++i)
        st.upsert_mailbox(mailbox(i, 1, "user" + std::to_string(i)));
    for (std::uint32_t i = 1; i <= 25000; ++i) {
        const bool present = i > 20000 || i % 2 == 0;
        const CachedMailbox* m = st.find_mailbox("user" + std::to_string(i) + "@example.de");
        ASSERT_EQ(m != nullptr, present) << i;
        if (m) {
            EXPECT_EQ(m->id, i);
        }
    }
    EXPECT_EQ(st.mailbox_count, 15000u);
}

TEST(PolicydCacheState, DomainRemovalHidesItsAddresses) {
    CacheState st;
    st.upsert_domain(1, "example.de");
    st.upsert_domain(1, "example.com");  // renamed
    EXPECT_EQ(st.domain_by_name.count("example.de"), 0u);
    EXPECT_EQ(st.domain_by_name.at("example.com"), 1u);
    st.erase_domain(1);
    EXPECT_TRUE(st.domain_by_name.empty());
}

}  // namespace
}  // namespace boxwarden::policyd
