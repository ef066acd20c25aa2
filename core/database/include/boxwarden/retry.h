#pragma once
// The one place where writers retry a transaction the server rolled back.
//
// On Galera a commit that conflicts with a commit on another node fails with
// ERROR 1213 (certification failure, or a brute-force abort of the open
// transaction); InnoDB deadlocks give the same code. Nothing of the
// transaction happened, so running it again is safe and is what the client
// must do. A lock wait timeout (1205) undoes only the statement: the helper
// rolls the whole transaction back and runs it again, fewer times, since
// each attempt already waited innodb_lock_wait_timeout. Everything else is
// passed on at once: a rule refusal (SIGNAL SQLSTATE '45000', a constraint)
// is an answer, never retried; a lost connection or a node that is not ready
// is the caller's to handle (reconnect, fail over, spool). A refusal by a
// cached table whose triggers did not load (trigger_tables.h) is run again
// once, after the connection made the server reload the table.
#include <chrono>
#include <functional>
#include <random>
#include <string_view>
#include <thread>
#include <type_traits>

#include "boxwarden/db.h"

namespace boxwarden::db {

struct RetryPolicy {
    int max_attempts = 6;            // conflicts (1213, 1180): attempts in all
    int max_lock_wait_attempts = 2;  // lock wait timeouts (1205): attempts in all
    int max_trigger_reloads = 1;     // "… has an error in its body" (1064): reloads in all
    std::chrono::milliseconds first_delay{5};
    std::chrono::milliseconds max_delay{200};
};

// What a test replaces: sleeping, the jitter's random source ([0, 1)), and a
// note per retry (e.g. a log line or a counter).
struct RetryHooks {
    std::function<void(std::chrono::milliseconds)> sleep;
    std::function<double()> random01;
    std::function<void(const Error& error, int attempt)> on_retry;
};

enum class RetryClass { Conflict, LockWait, UnloadedTriggers, None };

// How a failed transaction may be retried, from its error.
RetryClass retry_class(const Error& e);

// The pause before attempt `next_attempt` (2, 3, ...): exponential from
// first_delay, capped at max_delay, jittered to [half, full] by random01 so
// that two nodes' writers that collided do not collide again in step.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int next_attempt, double random01);

namespace detail {
void default_sleep(std::chrono::milliseconds d);
double default_random01();
}  // namespace detail

// Runs attempt() until it returns, retrying conflicts and lock waits within
// the policy's bounds; the last error (or any other exception) is thrown.
// may_retry (optional) vetoes a retry, e.g. when the connection broke.
// reload_triggers (optional) handles RetryClass::UnloadedTriggers; without
// it that error is passed on.
template <typename F>
auto retry_transaction_errors(F&& attempt, const RetryPolicy& policy = {},
                              const RetryHooks& hooks = {},
                              const std::function<bool()>& may_retry = {},
                              const std::function<void(const Error&)>& reload_triggers = {})
    -> decltype(attempt()) {
    int conflicts = 0;
    int lock_waits = 0;
    int reloads = 0;
    for (int n = 1;; ++n) {
        try {
            return attempt();
        } catch (const Error& e) {
            const RetryClass c = retry_class(e);
            if (c == RetryClass::None || (may_retry && !may_retry())) throw;
            if (c == RetryClass::Conflict && ++conflicts >= policy.max_attempts) throw;
            if (c == RetryClass::LockWait && ++lock_waits >= policy.max_lock_wait_attempts) throw;
            if (c == RetryClass::UnloadedTriggers) {
                if (!reload_triggers || ++reloads > policy.max_trigger_reloads) throw;
                reload_triggers(e);
            }
            if (hooks.on_retry) hooks.on_retry(e, n);
            const double r = hooks.random01 ? hooks.random01() : detail::default_random01();
            const auto d = retry_delay(policy, n + 1, r);
            if (hooks.sleep)
                hooks.sleep(d);
            else
                detail::default_sleep(d);
        }
    }
}

// begin; fn(conn); commit — as one unit, retried as a whole (see above).
// fn's result is returned only after the commit succeeded. Conn is
// db::Connection, or a fake with begin/commit/rollback/broken (and
// optionally mark_transaction_start/transaction_was_lost and
// reload_trigger_tables) in tests. A
// connection that broke is not retried on (the caller reconnects). With
// mark_transaction_start a transaction the server rolled back without
// telling (Galera, see db.h) is retried like any conflict.
template <typename Conn, typename F>
auto run_transaction(Conn& conn, F&& fn, const RetryPolicy& policy = {},
                     const RetryHooks& hooks = {}) -> decltype(fn(conn)) {
    using Result = decltype(fn(conn));
    return retry_transaction_errors(
        [&]() -> Result {
            conn.begin();
            constexpr bool kGuarded = requires {
                conn.mark_transaction_start();
            };
            if constexpr (kGuarded) conn.mark_transaction_start();
            try {
                if constexpr (std::is_void_v<Result>) {
                    fn(conn);
                    conn.commit();
                } else {
                    Result r = fn(conn);
                    conn.commit();
                    return r;
                }
            } catch (...) {
                // A failure (even a "not found" refusal) inside a transaction
                // the server had silently rolled back is a conflict: run again.
                bool lost = false;
                if constexpr (kGuarded) lost = conn.transaction_was_lost();
                conn.rollback();
                if (lost)
                    throw TemporaryFailure(
                        "the transaction had been rolled back by the server without an error "
                        "(Galera brute-force abort)",
                        1213, "40001");
                throw;
            }
        },
        policy, hooks, [&] { return !conn.broken(); },
        [&](const Error& e) {
            if constexpr (requires { conn.reload_trigger_tables(std::string_view{}); })
                conn.reload_trigger_tables(e.what());
            else
                throw;
        });
}

}  // namespace boxwarden::db
