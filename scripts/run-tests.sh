#!/bin/sh
# The test command: installs dependencies, builds the normal and the
# ASan+UBSan configurations, runs every CTest test in both (unit tests, SQL
# tests against a private MariaDB, integration tests against private
# Postfix/Dovecot instances), then builds the plain Release configuration
# (-O3, warnings are errors, no tests; it counts as one test), then the fuzzer,
# then the Debian packages (scripts/test-packages.sh: build, lintian clean,
# install/remove/purge in a clean Debian 12 tree; one test). Exits non-zero on any failure
# and ends with one line per failed CTest test, "failed (PRESET): NUMBER - NAME
# (REASON)", then one summary line "tests: N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
log=$(mktemp)
failures=$(mktemp)
trap 'rm -f "$log" "$failures"' EXIT
status=0
for preset in default asan; do
    echo "=== build ($preset)"
    ./scripts/build.sh "$preset"
    echo "=== test ($preset)"
    ctest --preset "$preset" -j2 2>&1 | tee -a "$log" || status=1
    # tee hides ctest's exit status under plain sh: read its summary instead.
    grep -q "tests passed, 0 tests failed out of" "$log" || status=1
    : >"$log.$preset"
    tail -n 40 "$log" >"$log.$preset"
    # Name the failed tests again at the very end, where a truncated CI log
    # still shows them.
    grep -E '^[[:space:]]+[0-9]+ - .* \((Failed|Timeout|SEGFAULT|Subprocess aborted|Not Run|Exception|Child aborted|ILLEGAL|BAD_COMMAND|OTHER_FAULT|INTERRUPT|NUMERICAL|Subprocess killed)' "$log" |
        sed "s/^[[:space:]]*/failed ($preset): /" >>"$failures" || true
    : >"$log"
done
passed=0
failed=0
for preset in default asan; do
    line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log.$preset" | tail -n 1 || true)
    rm -f "$log.$preset"
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        continue
    fi
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    t=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
    passed=$((passed + t - f))
    failed=$((failed + f))
done
# -O3 finds warnings (e.g. -Wrestrict) the other levels do not.
echo "=== build (release)"
if ./scripts/build.sh release; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    status=1
fi
if [ -x scripts/run-fuzzer.sh ]; then
    echo "=== fuzz (${BOXWARDEN_FUZZ_SECONDS:-60} s)"
    if ./scripts/run-fuzzer.sh "${BOXWARDEN_FUZZ_SECONDS:-60}"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        status=1
    fi
fi
echo "=== packages (build, lintian, install test)"
if ./scripts/test-packages.sh; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    status=1
fi
[ "$failed" -eq 0 ] || status=1
cat "$failures"
echo "tests: $passed passed, $failed failed"
exit $status
