#!/bin/sh
# boxwarden-web against Debian's PostfixAdmin, one run (issue #12); see
# docs/benchmarks.md. Root: installs postfixadmin, apache2,
# libapache2-mod-php and php-mysql from Debian if missing (a benchmark need,
# not a build or CI dependency), starts a private MariaDB and, from the
# Python part, a private Apache (127.0.0.1 only) and boxwarden-web, measures,
# and stops everything by PID.
#   web/bench/list_vs_postfixadmin.sh [BUILD_DIR=build/default]
# Environment: BENCH_MAILBOXES (100000), BENCH_SECONDS (10, concurrent phase
# per page), BENCH_REQUESTS (20, sequential requests per page),
# BENCH_CLIENTS (20), BENCH_PFA_PAGE_SIZE (50).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build/default}" && pwd)
work="$build/bench-vs-postfixadmin"

[ "$(id -u)" = 0 ] || { echo "run as root (apt-get; Apache drops to www-data)" >&2; exit 2; }
for exe in web/boxwarden-web cli/boxwardenctl; do
    [ -x "$build/$exe" ] || {
        echo "missing $build/$exe: cmake --build $build --target boxwarden-web boxwardenctl" >&2
        exit 2
    }
done

pkgs="postfixadmin apache2 libapache2-mod-php php-mysql"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    # The packages' maintainer scripts must not start the system's Apache
    # (it would listen on *:80): a policy-rc.d that forbids it while we
    # install, unless the machine has one already.
    own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    # No database created by dbconfig-common: the benchmark makes its own.
    echo "postfixadmin postfixadmin/dbconfig-install boolean false" | debconf-set-selections
    rc=0
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing || rc=$?
    [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" = 0 ] || exit "$rc"
fi

rm -rf "$work"
mkdir -p "$work"
# The Apache children (www-data) reach the MariaDB socket and the private
# PostfixAdmin tree through these directories.
chmod 755 "$work"
. "$src/tests/harness/stop-by-pid.sh"
cleanup() {
    stop_by_pidfile "$work/postfixadmin/run/apache2.pid" 300
    "$src/tests/harness/mariadb.sh" stop "$work/mariadb" >/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$src/tests/harness/mariadb.sh" start "$work/mariadb"

BOXWARDEN_WEB="$build/web/boxwarden-web" \
BOXWARDENCTL="$build/cli/boxwardenctl" \
BOXWARDEN_TEST_MYSQL_SOCKET="$work/mariadb/mysqld.sock" \
BOXWARDEN_SOURCE_DIR="$src" \
BOXWARDEN_WEB_TEST_DIR="$work/web" \
BENCH_DIR="$work" \
PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 "$src/web/bench/list_vs_postfixadmin.py"
