#!/bin/sh
# The install test of the Debian packages (a stage of scripts/run-tests.sh):
#   1. scripts/build-debs.sh (dpkg-buildpackage + lintian: no error, no warning);
#   2. a clean Debian 12 tree made by mmdebstrap (cached as a tarball, see
#      below), the packages installed in it with `apt-get install ./*.deb`
#      (their dependencies from the Debian archive);
#   3. checks: every binary answers --version (the milter: --help), the
#      plugin's libraries resolve, the units pass `systemd-analyze verify`,
#      modes and owners of boxwarden.conf, web.conf, secret.key,
#      /var/lib/boxwarden and the spool, who can read the key (boxwarden-web
#      yes; boxwarden, boxwarden-milter no), the man pages are there;
#   4. remove (binaries gone, conffiles kept, the key 0600 root:root again),
#      purge with a non-empty spool (kept, with a warning), purge of an
#      empty one: no file of boxwarden left anywhere in the tree.
# Prints the time of each part and "packages: OK" or the first failure
# (exit 1). Needs root (chroot), mmdebstrap and the Debian archive.
#
# Speed: the base tree (mmdebstrap, about 1-2 min) is cached as
# $CACHE/bookworm-base.tar for a week; the archive packages apt fetched are
# kept in $CACHE/archives and copied into the next tree, so a repeated run
# downloads nothing. CACHE: BOXWARDEN_PKGTEST_CACHE, default
# /var/cache/boxwarden-pkgtest. BOXWARDEN_PKGTEST_DEBS=DIR skips the build
# and tests the .deb files in DIR.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
CACHE=${BOXWARDEN_PKGTEST_CACHE:-/var/cache/boxwarden-pkgtest}
WORK="$top/build/pkgtest"
ROOT="$WORK/root"
MIRRORS="deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main"

t_start=$(date +%s)
t_last=$t_start
lap() { _now=$(date +%s); echo "--- $1: $((_now - t_last)) s"; t_last=$_now; }
die() { echo "packages: FAIL: $*" >&2; exit 1; }
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

[ "$(id -u)" -eq 0 ] || die "needs root (chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (scripts/install-deps.sh)"

# ccache, when present, makes the package build of an unchanged tree quick.
if command -v ccache >/dev/null; then
    export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
    export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$top}"
fi
# boxwarden.conf(5) is generated from docs/configuration.md's key table.
packaging/man/gen-boxwarden-conf-5.py "$WORK.conf5" 2>/dev/null || { mkdir -p "$(dirname "$WORK")"; packaging/man/gen-boxwarden-conf-5.py "$WORK.conf5"; }
cmp -s "$WORK.conf5" packaging/man/boxwarden.conf.5 ||
    die "packaging/man/boxwarden.conf.5 is stale: run packaging/man/gen-boxwarden-conf-5.py"
rm -f "$WORK.conf5"
if [ -n "${BOXWARDEN_PKGTEST_DEBS:-}" ]; then
    debs=$BOXWARDEN_PKGTEST_DEBS
else
    ./scripts/build-debs.sh || die "package build or lintian"
    debs="$top/build/debs"
    lap "build + lintian"
fi

mkdir -p "$CACHE/archives"
base="$CACHE/bookworm-base.tar"
if [ ! -s "$base" ] || [ -n "$(find "$base" -mtime +7)" ]; then
    # systemd for systemd-analyze; the rest comes with the packages' dependencies.
    printf '%s\n' "$MIRRORS" | mmdebstrap --quiet --variant=apt --include=systemd,ca-certificates \
        bookworm "$base.new.tar" - || die "mmdebstrap"
    mv "$base.new.tar" "$base"
    lap "mmdebstrap (base tree, cached in $base)"
fi

rm -rf "$WORK"
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$base"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# No service starts inside the tree (it is not a booted system).
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp "$CACHE/archives/"*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null || true
mkdir -p "$ROOT/tmp/debs"
for deb in "$debs"/*.deb; do
    case "$deb" in *-dbgsym_*) continue ;; esac
    cp "$deb" "$ROOT/tmp/debs/"
done
lap "tree unpacked"

in_root apt-get update -q >"$WORK/apt-update.log" 2>&1 || { cat "$WORK/apt-update.log"; die "apt-get update"; }
# man-db: systemd-analyze verify runs man for the units' Documentation= pages.
in_root sh -c 'apt-get install -y -q --no-install-recommends /tmp/debs/*.deb man-db' >"$WORK/install.log" 2>&1 ||
    { tail -n 40 "$WORK/install.log"; die "apt-get install ./*.deb"; }
grep -i "warning" "$WORK/install.log" | grep -iv "apt does not have a stable CLI" && die "warnings during the install (above)"
# Keep what apt downloaded for the next run.
for f in "$ROOT/var/cache/apt/archives/"*.deb; do
    [ -e "$f" ] && [ ! -e "$CACHE/archives/$(basename "$f")" ] && cp "$f" "$CACHE/archives/"
done
lap "apt-get install ./*.deb (with dependencies)"

# --- the installed system
check() { _what=$1; shift; "$@" >"$WORK/check.out" 2>&1 || { cat "$WORK/check.out"; die "$_what"; }; echo "ok: $_what"; }
expect_stat() { # PATH "MODE OWNER:GROUP"
    _got=$(in_root stat -c '%a %U:%G' "$1") || die "$1 missing"
    [ "$_got" = "$2" ] || die "$1 is $_got, expected $2"
    echo "ok: $1 $_got"
}
for bin in boxwarden-policyd boxwardenctl boxwarden-web; do
    out=$(in_root "/usr/sbin/$bin" --version) || die "$bin --version"
    echo "$out" | grep -q "^$bin [0-9]" || die "$bin --version printed '$out'"
    echo "ok: $out"
    check "$bin --help" in_root "/usr/sbin/$bin" --help
done
check "boxwarden-milter --help" in_root /usr/sbin/boxwarden-milter --help
check "boxwarden-policyd --check-config (packaged boxwarden.conf)" in_root /usr/sbin/boxwarden-policyd --check-config
# The page reads its own web.conf and templates as its own user.
check "boxwarden-web --check-config as boxwarden-web (packaged web.conf)" \
    in_root runuser -u boxwarden-web -- /usr/sbin/boxwarden-web --config /etc/boxwarden/web.conf --check-config
in_root ldd /usr/lib/dovecot/modules/lib90_boxwarden_plugin.so >"$WORK/ldd.out" || die "ldd of the plugin"
! grep -q "not found" "$WORK/ldd.out" || { cat "$WORK/ldd.out"; die "the plugin's libraries do not resolve"; }
echo "ok: lib90_boxwarden_plugin.so libraries resolve"
for unit in boxwarden-policyd.service boxwarden-milter.service boxwarden-web.service; do
    check "systemd-analyze verify $unit" in_root systemd-analyze verify "/lib/systemd/system/$unit"
    [ ! -s "$WORK/check.out" ] || { cat "$WORK/check.out"; die "systemd-analyze verify $unit printed warnings"; }
done
# With boxwarden-web installed: the key is the page's to read, and
# /etc/boxwarden may be passed through (not listed) to reach it.
expect_stat /etc/boxwarden "751 root:boxwarden"
expect_stat /etc/boxwarden/boxwarden.conf "640 root:boxwarden"
expect_stat /etc/boxwarden/web.conf "640 root:boxwarden-web"
expect_stat /etc/boxwarden/secret.key "640 root:boxwarden-web"
[ "$(in_root stat -c %s /etc/boxwarden/secret.key)" = 32 ] || die "secret.key is not 32 bytes"
[ "$(in_root runuser -u boxwarden-web -- cat /etc/boxwarden/secret.key | wc -c)" = 32 ] ||
    die "boxwarden-web cannot read secret.key"
for user in boxwarden boxwarden-milter nobody; do
    for f in secret.key web.conf; do
        ! in_root runuser -u "$user" -- cat "/etc/boxwarden/$f" >/dev/null 2>&1 || die "$user can read $f"
    done
done
! in_root runuser -u boxwarden-web -- cat /etc/boxwarden/boxwarden.conf >/dev/null 2>&1 ||
    die "boxwarden-web can read boxwarden.conf"
! in_root runuser -u nobody -- ls /etc/boxwarden >/dev/null 2>&1 || die "nobody can list /etc/boxwarden"
echo "ok: secret.key and web.conf readable by boxwarden-web only; boxwarden.conf not by it"
web_groups=$(in_root id -nG boxwarden-web)
[ "$web_groups" = boxwarden-web ] || die "boxwarden-web is in the groups '$web_groups' (expected only its own)"
echo "ok: user boxwarden-web, in its own group only"
for f in templates/layout.mustache templates/mailbox.mustache static/boxwarden.css static/boxwarden.js \
    fail2ban/boxwarden-web.conf; do
    [ -s "$ROOT/usr/share/boxwarden/web/$f" ] || die "/usr/share/boxwarden/web/$f missing"
done
[ -s "$ROOT/usr/share/boxwarden/sql/grants/boxwarden-web-grants.sql" ] || die "boxwarden-web-grants.sql missing"
[ -s "$ROOT/usr/share/doc/boxwarden-web/examples/dovecot/91-boxwarden-web.conf" ] || die "the Dovecot example is missing"
echo "ok: templates, static files, fail2ban filter, grant script, Dovecot example"
expect_stat /var/lib/boxwarden "750 boxwarden:boxwarden"
expect_stat /var/spool/boxwarden "700 boxwarden:boxwarden"
in_root getent group boxwarden-query >/dev/null || die "group boxwarden-query missing"
in_root id -nG boxwarden-milter | grep -qw boxwarden-query || die "boxwarden-milter not in boxwarden-query"
echo "ok: users boxwarden, boxwarden-milter (in boxwarden-query)"
for page in man8/boxwarden-policyd.8.gz man8/boxwarden-milter.8.gz man8/boxwardenctl.8.gz man8/boxwarden-web.8.gz \
    man5/boxwarden.conf.5.gz; do
    [ -s "$ROOT/usr/share/man/$page" ] || die "man page $page missing"
done
echo "ok: man pages"
[ -s "$ROOT/usr/share/doc/boxwarden-common/README.Debian" ] || [ -s "$ROOT/usr/share/doc/boxwarden-common/README.Debian.gz" ] ||
    die "README.Debian missing"
[ -s "$ROOT/usr/share/doc/boxwarden-web/README.Debian" ] || [ -s "$ROOT/usr/share/doc/boxwarden-web/README.Debian.gz" ] ||
    die "README.Debian of boxwarden-web missing"
# A reinstall keeps the key (it decrypts stored passwords).
key_before=$(sha256sum "$ROOT/etc/boxwarden/secret.key")
in_root dpkg-reconfigure boxwarden-common >/dev/null 2>&1 || in_root sh -c 'dpkg --configure -a' >/dev/null
[ "$(sha256sum "$ROOT/etc/boxwarden/secret.key")" = "$key_before" ] || die "secret.key replaced by a reconfigure"
expect_stat /etc/boxwarden/secret.key "640 root:boxwarden-web"
expect_stat /etc/boxwarden "751 root:boxwarden"
echo "ok: secret.key kept across dpkg-reconfigure, still the page's to read"
lap "checks of the installed packages"

# --- remove, purge
pkgs="boxwarden-common boxwarden-policyd boxwarden-milter dovecot-boxwarden boxwarden-tools boxwarden-web"
in_root apt-get remove -y -q $pkgs >"$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log"; die "apt-get remove"; }
for f in /usr/sbin/boxwarden-policyd /usr/sbin/boxwarden-milter /usr/sbin/boxwardenctl /usr/sbin/boxwarden-web \
    /usr/lib/dovecot/modules/lib90_boxwarden_plugin.so /usr/share/boxwarden/web; do
    [ ! -e "$ROOT$f" ] || die "$f left after remove"
done
[ -e "$ROOT/etc/boxwarden/boxwarden.conf" ] || die "remove deleted the conffile (only purge may)"
[ -e "$ROOT/etc/boxwarden/web.conf" ] || die "remove deleted web.conf (only purge may)"
# Without the page nobody but root reads the key again.
expect_stat /etc/boxwarden/secret.key "600 root:root"
expect_stat /etc/boxwarden "750 root:boxwarden"
echo "ok: remove: binaries gone, configuration kept, secret.key 0600 root:root again"
# A spool still holding entries is kept at purge, with a warning.
printf 'x' >"$ROOT/var/spool/boxwarden/segment-test"
in_root dpkg --purge $pkgs >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; die "dpkg --purge"; }
grep -q "/var/spool/boxwarden still holds log entries" "$WORK/purge.log" || { cat "$WORK/purge.log"; die "no warning for a non-empty spool"; }
[ -e "$ROOT/var/spool/boxwarden/segment-test" ] || die "purge deleted a non-empty spool"
echo "ok: purge kept the non-empty spool, with a warning"
rm -rf "$ROOT/var/spool/boxwarden"
# var/cache/man: man-db's cat pages, made by the `man` calls of systemd-analyze verify above.
left=$(cd "$ROOT" && find . -xdev -path ./proc -prune -o -path ./var/cache/apt -prune -o -path ./var/lib/apt -prune \
    -o -path ./var/cache/man -prune \
    -o -path ./tmp/debs -prune -o -name '*boxwarden*' -print)
[ -z "$left" ] || { echo "$left"; die "files of boxwarden left after purge"; }
echo "ok: purge: no file of boxwarden left (users boxwarden, boxwarden-milter, boxwarden-web and group boxwarden-query stay, as documented)"
lap "remove and purge"

echo "packages: OK in $(($(date +%s) - t_start)) s"
