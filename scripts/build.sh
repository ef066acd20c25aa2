#!/bin/sh
# Configures and builds one CMake preset (default: "default"; also "asan",
# and "release": -O3 with warnings as errors, no tests).
set -eu
cd "$(dirname "$0")/.."
preset=${1:-default}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
