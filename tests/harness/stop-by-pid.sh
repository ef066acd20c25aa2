# Sourced by the service harness scripts: stops the process named in a PID
# file (SIGTERM, then SIGKILL after a bound), never by process name.
#   stop_by_pidfile PIDFILE [TENTHS_OF_A_SECOND=300]
stop_by_pidfile() {
    _pidfile=$1
    _limit=${2:-300}
    [ -f "$_pidfile" ] || return 0
    _pid=$(tr -dc '0-9' <"$_pidfile")
    [ -n "$_pid" ] || { rm -f "$_pidfile"; return 0; }
    kill "$_pid" 2>/dev/null || true
    _i=0
    while kill -0 "$_pid" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -gt "$_limit" ] && { kill -9 "$_pid" 2>/dev/null || true; break; }
        sleep 0.1
    done
    rm -f "$_pidfile"
}
