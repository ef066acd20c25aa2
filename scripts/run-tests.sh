#!/bin/sh
# The test command: installs dependencies, builds the normal and the
# ASan+UBSan configurations, and runs every CTest test in both (unit tests,
# SQL tests against a private MariaDB, integration tests against private
# Postfix/Dovecot instances). Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
status=0
for preset in default asan; do
    echo "=== build ($preset)"
    ./scripts/build.sh "$preset"
    echo "=== test ($preset)"
    ctest --preset "$preset" -j2 || status=1
done
if [ -x scripts/run-fuzzer.sh ]; then
    echo "=== fuzz (${BOXWARDEN_FUZZ_SECONDS:-60} s)"
    ./scripts/run-fuzzer.sh "${BOXWARDEN_FUZZ_SECONDS:-60}" || status=1
fi
exit $status
