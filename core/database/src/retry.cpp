#include "boxwarden/retry.h"

#include <algorithm>

#include "boxwarden/trigger_tables.h"

namespace boxwarden::db {

RetryClass retry_class(const Error& e) {
    if (is_unloaded_triggers_error(e.code(), e.what())) return RetryClass::UnloadedTriggers;
    switch (e.code()) {
        case 1213:  // deadlock, Galera certification failure / brute-force abort
        case 1180:  // "Got error during COMMIT" (a commit the provider refused)
            return RetryClass::Conflict;
        case 1205:  // lock wait timeout
            return RetryClass::LockWait;
        default:
            // SQLSTATE 40001 (serialization failure) without one of the codes.
            return e.sqlstate() == "40001" && e.code() != 0 ? RetryClass::Conflict
                                                            : RetryClass::None;
    }
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int next_attempt,
                                      double random01) {
    const int doublings = std::clamp(next_attempt - 2, 0, 20);
    const auto full =
        std::min(policy.max_delay, policy.first_delay * (std::int64_t{1} << doublings));
    const double r = std::clamp(random01, 0.0, 1.0);
    const auto half = full / 2;
    return half + std::chrono::milliseconds(
                      static_cast<std::int64_t>(static_cast<double>((full - half).count()) * r));
}

namespace detail {

void default_sleep(std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
}

double default_random01() {
    thread_local std::minstd_rand gen{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

}  // namespace detail

}  // namespace boxwarden::db
