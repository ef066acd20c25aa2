#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++-14 in build/fuzz and runs each of
# them for its share of the time: the attribute codec, the RFC 2047 decoder,
# quoted-printable and the RFC 5322 address-list parser. Usage: scripts/run-fuzzer.sh [total seconds, default 60]
# Exits non-zero when a fuzzer finds a crash; the input is saved in
# build/fuzz/artifacts/<fuzzer>/.
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: $0 [seconds]" >&2
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/fuzz"

# fuzzer name and its checked-in seed corpus (tests/fuzz/CMakeLists.txt)
fuzzers=(attr_codec:corpus rfc2047:corpus_rfc2047 quoted_printable:corpus_quoted_printable address_list:corpus_address_list)
share=$(( seconds / ${#fuzzers[@]} ))
[ "$share" -ge 1 ] || share=1

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBOXWARDEN_FUZZ=ON -DBOXWARDEN_BUILD_TESTS=ON -DBOXWARDEN_BUILD_BENCHMARKS=OFF
targets=()
for f in "${fuzzers[@]}"; do targets+=("fuzz_${f%%:*}"); done
cmake --build "$build" --target "${targets[@]}"

for f in "${fuzzers[@]}"; do
  name=${f%%:*}
  seeds=${f#*:}
  echo "=== fuzz_$name: $share s"
  # New inputs go to the first directory, so the checked-in seeds stay as they are.
  mkdir -p "$build/corpus/$name" "$build/artifacts/$name"
  "$build/tests/fuzz/fuzz_$name" \
    -max_total_time="$share" \
    -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$name/" \
    "$build/corpus/$name" "$root/tests/fuzz/$seeds"
done
