#!/bin/sh
# ctest integration.milter.version_and_help:
#   run-version.sh MILTER_BINARY VERSION
# --version prints exactly "boxwarden-milter VERSION" on stdout, nothing on
# stderr, exit 0, without reading a configuration file; --help prints the
# usage (naming --version) on stdout, exit 0; an unknown argument exits 64.
set -u
bin=${1:?MILTER_BINARY}
version=${2:?VERSION}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rc=0
fail() { echo "FAIL: $*"; rc=1; }

# A configuration path that does not exist: --version must not need one.
"$bin" -c "$work/missing.conf" --version >"$work/out" 2>"$work/err"
code=$?
[ "$code" = 0 ] || fail "--version exited $code"
printf 'boxwarden-milter %s\n' "$version" | cmp -s - "$work/out" ||
    fail "--version printed '$(cat "$work/out")', want 'boxwarden-milter $version'"
[ -s "$work/err" ] && fail "--version wrote to stderr: $(cat "$work/err")"
echo "--version -> exit $code: $(cat "$work/out")"

"$bin" --help >"$work/out" 2>"$work/err"
code=$?
[ "$code" = 0 ] || fail "--help exited $code"
grep -q '^usage: boxwarden-milter' "$work/out" || fail "--help printed no usage line"
grep -q -- '--version' "$work/out" || fail "--help does not name --version"
echo "--help -> exit $code, $(wc -l <"$work/out") lines"

"$bin" --bogus >"$work/out" 2>"$work/err"
code=$?
[ "$code" = 64 ] || fail "--bogus exited $code, want 64"
grep -q "unknown argument '--bogus'" "$work/err" || fail "--bogus: no clear error ($(cat "$work/err"))"
echo "--bogus -> exit $code"
exit "$rc"
