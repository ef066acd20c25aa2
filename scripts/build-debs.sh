#!/bin/sh
# Builds the Debian packages (boxwarden-common, boxwarden-policyd,
# boxwardenctl) into build/debs/. Needs debhelper (installed when missing).
set -eu
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
dpkg-query -W -f='${Status}' debhelper 2>/dev/null | grep -q "install ok installed" ||
    { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debhelper dpkg-dev; }
work=build/debs/src
rm -rf build/debs
mkdir -p "$work"
git ls-files -z | xargs -0 -I{} cp --parents {} "$work"/
cp -r packaging/debian "$work/debian"
(cd "$work" && dpkg-buildpackage -us -uc -b)
ls -l build/debs/*.deb
