#include "mailbox_cache.h"

#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "boxwarden/address.h"
#include "cache_state.h"

namespace boxwarden::policyd {

namespace {

// More changes than this since the last sync: a full reload is cheaper.
constexpr std::size_t kMaxIncremental = 20000;
// Rows per keyset-paginated chunk of a full load (bounds client buffers).
constexpr std::int64_t kChunk = 20000;
// Placeholders in one "id IN (...)" look-up of changed mailboxes.
constexpr std::size_t kInList = 32;

constexpr std::string_view kMailboxColumns =
    "SELECT id, domain_id, local_part, active, deactivated_at, email_name, vip, ooo_enabled, "
    "ooo_subject, ooo_body, ooo_start, ooo_end, ooo_interval_days FROM mailbox ";

std::int64_t to_i64(const std::optional<std::string>& v) {
    std::int64_t out = 0;
    if (v) std::from_chars(v->data(), v->data() + v->size(), out);
    return out;
}

std::optional<TimePoint> to_time(const std::optional<std::string>& v) {
    if (!v) return std::nullopt;
    return db::parse_sql_datetime(*v);
}

std::int64_t micros(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

CachedMailbox mailbox_from(const db::Row& r) {
    CachedMailbox m;
    m.id = static_cast<std::uint32_t>(to_i64(r.at(0)));
    m.domain_id = static_cast<std::uint32_t>(to_i64(r.at(1)));
    m.local_part = r.at(2).value_or("");
    m.active = to_i64(r.at(3)) != 0;
    if (auto t = to_time(r.at(4))) {
        m.has_deactivated = true;
        m.deactivated_us = micros(*t);
    }
    std::string email_name = r.at(5).value_or("");
    if (!email_name.empty()) m.mutable_extras().email_name = std::move(email_name);
    m.vip = to_i64(r.at(6)) != 0;
    OutOfOfficeFacts ooo;
    ooo.enabled = to_i64(r.at(7)) != 0;
    ooo.subject = r.at(8).value_or("");
    ooo.body = r.at(9).value_or("");
    ooo.start = to_time(r.at(10));
    ooo.end = to_time(r.at(11));
    ooo.interval_days = static_cast<int>(to_i64(r.at(12)));
    // Most mailboxes never had out-of-office: keep nothing for them.
    if (ooo.enabled || !ooo.subject.empty() || !ooo.body.empty() || ooo.start || ooo.end ||
        ooo.interval_days != 7)
        m.mutable_extras().ooo = std::make_unique<OutOfOfficeFacts>(std::move(ooo));
    m.local_part.shrink_to_fit();
    return m;
}

CachedUser user_from(const db::Row& r) {
    CachedUser u;
    u.id = static_cast<std::uint32_t>(to_i64(r.at(0)));
    u.login = r.at(1).value_or("");
    u.display_name = r.at(2).value_or("");
    u.activity_access = to_i64(r.at(3)) != 0;
    return u;
}

Settings load_settings(db::Connection& conn) {
    Settings s;
    for (const db::Row& r : conn.query("SELECT name, value FROM setting")) {
        const std::string name = r.at(0).value_or("");
        const std::string value = r.at(1).value_or("");
        if (name == "delivery_grace_seconds")
            s.delivery_grace = std::clamp(Seconds(to_i64(value)), Seconds{0}, kMaxGrace);
        else if (name == "vip_unprotected_cc_bcc")
            s.vip_unprotected_cc_bcc = value == "1";
    }
    return s;
}

// The rows named in change_log, read inside the sync's snapshot; applied to
// the live state afterwards under the exclusive lock.
struct ChangeSet {
    std::map<std::uint32_t, std::optional<std::string>> domains;
    std::map<std::uint32_t, std::optional<CachedUser>> users;
    std::map<std::uint32_t, std::optional<CachedMailbox>> mailboxes;
    std::map<std::uint32_t, std::vector<std::uint32_t>> assignments;
    std::optional<Settings> settings;
};

ChangeSet load_changes(db::Connection& conn, const std::vector<db::Row>& log) {
    std::set<std::uint32_t> domains, users, mailboxes, assignments;
    bool settings = false;
    for (const db::Row& r : log) {
        const std::string table = r.at(1).value_or("");
        const auto id = static_cast<std::uint32_t>(to_i64(r.at(2)));
        if (table == "domain")
            domains.insert(id);
        else if (table == "user_account")
            users.insert(id);
        else if (table == "mailbox")
            mailboxes.insert(id);
        else if (table == "mailbox_assignment")
            assignments.insert(id);
        else if (table == "setting")
            settings = true;
    }
    ChangeSet cs;
    for (std::uint32_t id : domains) {
        auto rows = conn.query("SELECT name FROM domain WHERE id = ?", {std::int64_t{id}});
        cs.domains[id] = rows.empty() ? std::nullopt : rows[0].at(0);
    }
    for (std::uint32_t id : users) {
        auto rows = conn.query(
            "SELECT id, login, display_name, activity_access FROM user_account WHERE id = ?",
            {std::int64_t{id}});
        cs.users[id] = std::nullopt;
        if (!rows.empty()) cs.users[id] = user_from(rows[0]);
    }
    // Changed mailboxes in fixed-size IN lists (one prepared statement);
    // unused places hold 0, which is never an id.
    std::string in_sql = std::string(kMailboxColumns) + "WHERE id IN (?";
    for (std::size_t i = 1; i < kInList; ++i) in_sql += ",?";
    in_sql += ")";
    std::vector<std::uint32_t> ids(mailboxes.begin(), mailboxes.end());
    for (std::uint32_t id : ids) cs.mailboxes[id] = std::nullopt;  // deleted unless found
    for (std::size_t i = 0; i < ids.size(); i += kInList) {
        std::vector<db::Param> params;
        for (std::size_t j = 0; j < kInList; ++j)
            params.emplace_back(std::int64_t{i + j < ids.size() ? ids[i + j] : 0});
        conn.for_each_row(in_sql, params, [&](const db::Row& r) {
            CachedMailbox m = mailbox_from(r);
            const std::uint32_t id = m.id;
            cs.mailboxes[id] = std::move(m);
        });
    }
    for (std::uint32_t id : assignments) {
        auto& users_of = cs.assignments[id];
        conn.for_each_row(
            "SELECT user_id FROM mailbox_assignment WHERE mailbox_id = ? AND unassigned_at IS NULL",
            {std::int64_t{id}}, [&](const db::Row& r) {
                users_of.push_back(static_cast<std::uint32_t>(to_i64(r.at(0))));
            });
    }
    if (settings) cs.settings = load_settings(conn);
    return cs;
}

void apply(CacheState& st, ChangeSet& cs) {
    // Parents first, so mailboxes and assignments find their domain and users.
    for (auto& [id, name] : cs.domains) {
        if (name)
            st.upsert_domain(id, std::move(*name));
        else
            st.erase_domain(id);
    }
    for (auto& [id, user] : cs.users) {
        if (user)
            st.upsert_user(std::move(*user));
        else
            st.erase_user(id);
    }
    for (auto& [id, mailbox] : cs.mailboxes) {
        if (mailbox)
            st.upsert_mailbox(std::move(*mailbox));
        else
            st.erase_mailbox(id);
    }
    for (auto& [id, users] : cs.assignments) st.set_assignments(id, std::move(users));
    if (cs.settings) st.settings = *cs.settings;
}

// True when the log holds exactly the versions seen+1 .. marker.
bool log_is_complete(const std::vector<db::Row>& log, std::uint64_t seen, std::uint64_t marker) {
    if (log.empty() || log.size() > kMaxIncremental) return false;
    std::uint64_t expect = seen + 1;
    for (const db::Row& r : log) {
        if (static_cast<std::uint64_t>(to_i64(r.at(0))) != expect) return false;
        ++expect;
    }
    return expect == marker + 1;
}

}  // namespace

MailboxCache::MailboxCache(const Clock& clock) : clock_(clock) {}
MailboxCache::~MailboxCache() = default;

SyncResult MailboxCache::full_load(db::Connection& conn, std::uint64_t marker) {
    auto st = std::make_unique<CacheState>();
    st->version = marker;
    for (const db::Row& r : conn.query("SELECT id, name FROM domain"))
        st->upsert_domain(static_cast<std::uint32_t>(to_i64(r.at(0))), r.at(1).value_or(""));
    conn.for_each_row("SELECT id, login, display_name, activity_access FROM user_account", {},
                      [&](const db::Row& r) { st->upsert_user(user_from(r)); });
    auto count = conn.query("SELECT COUNT(*) FROM mailbox");
    if (!count.empty()) st->reserve_mailboxes(static_cast<std::size_t>(to_i64(count[0].at(0))));
    const std::string chunk_sql = std::string(kMailboxColumns) + "WHERE id > ? ORDER BY id LIMIT ?";
    for (std::int64_t after = 0;;) {
        std::int64_t rows = 0;
        conn.for_each_row(chunk_sql, {after, kChunk}, [&](const db::Row& r) {
            CachedMailbox m = mailbox_from(r);
            after = m.id;
            ++rows;
            st->upsert_mailbox(std::move(m));
        });
        if (rows < kChunk) break;
    }
    for (std::int64_t after = 0;;) {
        std::int64_t rows = 0;
        conn.for_each_row(
            "SELECT id, mailbox_id, user_id FROM mailbox_assignment "
            "WHERE unassigned_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            {after, kChunk}, [&](const db::Row& r) {
                after = to_i64(r.at(0));
                ++rows;
                st->add_assignment(static_cast<std::uint32_t>(to_i64(r.at(1))),
                                   static_cast<std::uint32_t>(to_i64(r.at(2))));
            });
        if (rows < kChunk) break;
    }
    st->settings = load_settings(conn);
    conn.commit();

    std::unique_ptr<CacheState> old;
    {
        std::unique_lock lock(mu_);
        old = std::move(state_);
        state_ = std::move(st);
    }
    old.reset();
    // Give the previous generation's memory back to the system.
    ::malloc_trim(0);
    return {SyncResult::Kind::Full, 0, marker};
}

SyncResult MailboxCache::sync(db::Connection& conn, bool force_full) {
    const auto started = clock_.steady_now();
    // On Galera, first wait until this node has applied everything the
    // cluster had committed (a causal read): a node that lags, e.g. the one
    // just failed over to, would otherwise show an older marker than the
    // cache has seen, and the cache would go back in time (full reload).
    if (conn.galera())
        conn.execute_script_statement(
            "SET STATEMENT wsrep_sync_wait = 1 FOR SELECT version FROM change_marker WHERE id = 1");
    conn.execute_script_statement("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    conn.begin();
    SyncResult result;
    try {
        conn.execute_script_statement("START TRANSACTION WITH CONSISTENT SNAPSHOT");
        auto marker_rows = conn.query("SELECT version FROM change_marker WHERE id = 1");
        if (marker_rows.empty())
            throw db::Error("change_marker row 1 is missing (see docs/schema.md)", 0, "HY000");
        const auto marker = static_cast<std::uint64_t>(to_i64(marker_rows[0].at(0)));
        std::optional<std::uint64_t> seen;
        {
            std::shared_lock lock(mu_);
            if (state_) seen = state_->version;
        }
        if (!seen || force_full || marker < *seen) {
            result = full_load(conn, marker);
        } else if (marker == *seen) {
            conn.commit();
            result = {SyncResult::Kind::Unchanged, 0, marker};
        } else {
            auto log = conn.query(
                "SELECT version, table_name, row_id FROM change_log WHERE version > ? "
                "ORDER BY version LIMIT ?",
                {static_cast<std::int64_t>(*seen), static_cast<std::int64_t>(kMaxIncremental + 1)});
            if (!log_is_complete(log, *seen, marker)) {
                result = full_load(conn, marker);
            } else {
                ChangeSet cs = load_changes(conn, log);
                conn.commit();
                std::unique_lock lock(mu_);
                apply(*state_, cs);
                state_->version = marker;
                result = {SyncResult::Kind::Incremental, log.size(), marker};
            }
        }
    } catch (...) {
        conn.rollback();
        throw;
    }
    last_sync_ns_.store(
        std::chrono::duration_cast<std::chrono::nanoseconds>(started.time_since_epoch()).count());
    synced_.store(true);
    return result;
}

Freshness MailboxCache::freshness(Seconds cutoff) const {
    Freshness f;
    f.cutoff = cutoff;
    f.synced = synced_.load();
    if (f.synced) {
        const std::chrono::steady_clock::time_point last{
            std::chrono::nanoseconds(last_sync_ns_.load())};
        f.age = std::chrono::floor<Seconds>(clock_.steady_now() - last);
    }
    return f;
}

std::optional<std::chrono::milliseconds> MailboxCache::age() const {
    if (!synced_.load()) return std::nullopt;
    const std::chrono::steady_clock::time_point last{
        std::chrono::nanoseconds(last_sync_ns_.load())};
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - last);
}

CacheCounts MailboxCache::counts() const {
    std::shared_lock lock(mu_);
    CacheCounts c;
    if (!state_) return c;
    c.domains = state_->domain_by_id.size();
    c.mailboxes = state_->mailbox_count;
    c.users = state_->users.size();
    c.assignments = state_->assignment_count;
    c.version = state_->version;
    return c;
}

// ---- Reader ---------------------------------------------------------------

MailboxCache::Reader::Reader(const MailboxCache& cache)
    : lock_(cache.mu_), state_(cache.state_.get()) {}

bool MailboxCache::Reader::domain_hosted(std::string_view domain) const {
    return state_ && state_->domain_by_name.count(std::string(domain)) > 0;
}

std::optional<MailboxFacts> MailboxCache::Reader::mailbox(std::string_view address) const {
    if (!state_) return std::nullopt;
    const CachedMailbox* m = state_->find_mailbox(address);
    if (!m) return std::nullopt;
    return state_->facts(*m);
}

std::optional<MailboxState> MailboxCache::Reader::mailbox_state(std::string_view address) const {
    if (!state_) return std::nullopt;
    const CachedMailbox* m = state_->find_mailbox(address);
    if (!m) return std::nullopt;
    MailboxState s;
    s.active = m->active;
    if (m->has_deactivated)
        s.deactivated_at = TimePoint{std::chrono::microseconds(m->deactivated_us)};
    return s;
}

std::optional<UserFacts> MailboxCache::Reader::user(std::string_view login) const {
    if (!state_) return std::nullopt;
    const CachedUser* u = state_->find_user(login);
    if (!u) return std::nullopt;
    UserFacts f;
    f.id = u->id;
    f.login = u->login;
    f.display_name = u->display_name;
    f.activity_access = u->activity_access;
    for (std::uint32_t id : u->mailboxes)
        if (const CachedMailbox* m = state_->find_mailbox(id))
            f.mailboxes.push_back(state_->address_of(*m));
    std::sort(f.mailboxes.begin(), f.mailboxes.end());
    return f;
}

bool MailboxCache::Reader::assigned(std::string_view login, std::string_view address) const {
    if (!state_) return false;
    const CachedUser* u = state_->find_user(login);
    const CachedMailbox* m = state_->find_mailbox(address);
    if (!u || !m) return false;
    const auto& users = m->users();
    return std::find(users.begin(), users.end(), u->id) != users.end();
}

Seconds MailboxCache::Reader::delivery_grace() const {
    return state_ ? state_->settings.delivery_grace : Seconds{0};
}

}  // namespace boxwarden::policyd
