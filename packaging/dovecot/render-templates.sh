#!/bin/sh
# Renders boxwarden's Dovecot auth templates (this folder) into OUTDIR,
# replacing each @NAME@ by the environment variable BOXWARDEN_NAME:
#   BOXWARDEN_DB_HOST      MariaDB unix socket path (or host name)
#   BOXWARDEN_DB_NAME      boxwarden database
#   BOXWARDEN_DB_USER      read-only user of sql/grants/dovecot-auth-grants.sql
#   BOXWARDEN_DB_PASSWORD  its password
#   BOXWARDEN_CONF_DIR     where the rendered *.conf.ext files will live
#                          (default OUTDIR)
#   BOXWARDEN_VMAIL_UID    virtual mail user (name or number, e.g. vmail)
#   BOXWARDEN_VMAIL_GID    its group
#   BOXWARDEN_MAIL_ROOT    mail homes are MAIL_ROOT/<domain>/<local part>
# Usage: render-templates.sh OUTDIR
# Writes the SQL files 0600 (they hold the password); refuses values with
# white space, quotes, backslashes or "%" (they would break the connect
# line or the SQL, or be expanded by Dovecot) and leaves OUTDIR untouched.
set -eu
out=${1:?usage: render-templates.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
: "${BOXWARDEN_CONF_DIR:=$out}"
for name in DB_HOST DB_NAME DB_USER DB_PASSWORD CONF_DIR VMAIL_UID VMAIL_GID MAIL_ROOT; do
    eval "value=\${BOXWARDEN_$name-}"
    if [ -z "$value" ]; then
        echo "render-templates.sh: BOXWARDEN_$name is not set" >&2
        exit 2
    fi
    case "$value" in
    *[[:space:]\'\"\\%]*)
        echo "render-templates.sh: BOXWARDEN_$name holds white space, a quote, a backslash or %" >&2
        exit 2
        ;;
    esac
done
mkdir -p "$out"
for template in "$here"/*.conf.ext; do
    target="$out/$(basename "$template")"
    tmp="$target.tmp.$$"
    (umask 077 && awk '
        BEGIN {
            n = split("DB_HOST DB_NAME DB_USER DB_PASSWORD CONF_DIR VMAIL_UID VMAIL_GID MAIL_ROOT", names, " ")
            for (i = 1; i <= n; i++) value[names[i]] = ENVIRON["BOXWARDEN_" names[i]]
        }
        {
            line = $0
            for (i = 1; i <= n; i++) {
                key = "@" names[i] "@"
                result = ""
                while ((at = index(line, key)) > 0) {
                    result = result substr(line, 1, at - 1) value[names[i]]
                    line = substr(line, at + length(key))
                }
                line = result line
            }
            print line
        }' "$template" >"$tmp")
    if grep -v '^#' "$tmp" | grep -n '@[A-Z_][A-Z_]*@' >&2; then
        rm -f "$tmp"
        echo "render-templates.sh: unknown placeholder left in $template" >&2
        exit 2
    fi
    mv "$tmp" "$target"
done
# The conf.d snippet holds no secret.
chmod 644 "$out/auth-boxwarden-sql.conf.ext"
echo "rendered into $out"
