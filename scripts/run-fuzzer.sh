#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++-14 in build/fuzz and runs the
# attribute codec fuzzer. Usage: scripts/run-fuzzer.sh [seconds, default 60]
# Exits non-zero when the fuzzer finds a crash; the input is saved in
# build/fuzz/artifacts/.
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: $0 [seconds]" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/fuzz"

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBOXWARDEN_FUZZ=ON -DBOXWARDEN_BUILD_TESTS=ON -DBOXWARDEN_BUILD_BENCHMARKS=OFF
cmake --build "$build" --target fuzz_attr_codec

# New inputs go to the first directory, so the checked-in seeds stay as they are.
mkdir -p "$build/corpus/attr_codec" "$build/artifacts"
"$build/tests/fuzz/fuzz_attr_codec" \
  -max_total_time="$seconds" \
  -print_final_stats=1 \
  -artifact_prefix="$build/artifacts/" \
  "$build/corpus/attr_codec" "$root/tests/fuzz/corpus"
