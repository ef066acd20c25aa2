#!/bin/sh
# Installs every Debian 12 package boxwarden needs to build, test and run its
# demo host. Idempotent; needs root (uses sudo when not root).
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PACKAGES="
  build-essential cmake ninja-build pkg-config clang-format
  clang-14 libclang-rt-14-dev
  libmysqlcppconn-dev libssl-dev libsodium-dev libmilter-dev dovecot-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  mariadb-server mariadb-client
  postfix postfix-mysql
  dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-mysql
  swaks netcat-openbsd libxml2-utils python3 procps miltertest
  libboost-dev libkainjow-mustache-dev chromium chromium-driver python3-selenium
  curl
  debhelper dpkg-dev lintian mmdebstrap ccache man-db
  galera-4 rsync
  strace
  libexpat1-dev
"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # Packages must not start system services: boxwarden runs private ones.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        remove_policy=1
    fi
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
    [ "${remove_policy:-0}" = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi
echo "dependencies installed"
