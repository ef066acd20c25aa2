#!/bin/sh
# Builds the Debian packages (boxwarden-common, boxwarden-policyd,
# boxwarden-milter, dovecot-boxwarden, boxwarden-tools) into build/debs/ and
# runs lintian on them: any error or warning fails (exit 1). Needs debhelper
# and lintian (installed when missing). The sources are the checkout's
# tracked and untracked-but-not-ignored files (build/ and run/ stay out).
# BOXWARDEN_DEBS_NO_LINTIAN=1 skips lintian.
set -eu
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
for pkg in debhelper dpkg-dev lintian; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
        { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debhelper dpkg-dev lintian; break; }
done
out=build/debs
work=$out/src
rm -rf "$out"
mkdir -p "$work"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    xargs -0 cp --parents -t "$work"/
cp -r packaging/debian "$work/debian"
# ccache (when the caller set it up) speeds up rebuilds of the same tree.
(cd "$work" && dpkg-buildpackage -us -uc -b >../build.log 2>&1) ||
    { tail -n 60 "$out/build.log"; echo "dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
ls -l "$out"/*.deb
[ "${BOXWARDEN_DEBS_NO_LINTIAN:-0}" = 1 ] && exit 0
# --fail-on error,warning: the stage fails on either (info and pedantic tags are shown, not fatal).
if lintian --fail-on error,warning --info --display-info "$out"/*.changes >"$out/lintian.log" 2>&1; then
    echo "lintian: clean (no errors, no warnings)"
    grep -E '^[IP]:' "$out/lintian.log" | sort | uniq -c | sort -rn | head -20 || true
else
    cat "$out/lintian.log"
    echo "lintian: errors or warnings (above)" >&2
    exit 1
fi
