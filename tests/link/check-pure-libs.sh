#!/bin/sh
# Proves that the pure core libraries reference no MySQL (Connector/C++ or
# libmariadb) symbol: the milter and the Dovecot plugin link only these.
# Usage: check-pure-libs.sh LIB.a...
set -eu
status=0
for lib in "$@"; do
    bad=$(nm -C --undefined-only "$lib" | grep -E ' (sql::|mysql_|mariadb_|get_driver_instance)' || true)
    if [ -n "$bad" ]; then
        echo "$lib references forbidden symbols:"
        echo "$bad" | head -20
        status=1
    else
        echo "$lib: no MySQL symbols"
    fi
done
exit $status
