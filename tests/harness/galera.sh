#!/bin/sh
# A private 3-node MariaDB Galera cluster on loopback for tests and the
# scale-out benchmark (docs/scale-out.md, /work/shared/notes/galera.md).
#
#   galera.sh start DIR          fresh cluster: node 1 bootstraps, 2 and 3 join
#   galera.sh stop DIR           stops every node by PID (3, 2, then 1)
#   galera.sh start-node DIR N   (re)starts node N into the running cluster
#   galera.sh stop-node DIR N    clean stop of node N (SIGTERM by PID)
#   galera.sh kill-node DIR N    SIGKILL of node N (by PID)
#   galera.sh wait-synced DIR N  waits until node N is Synced in a primary component
#
# Node N lives in DIR/nodeN: datadir, unix socket mysqld.sock (root, no
# password), error.log, pid file. Its SQL port on 127.0.0.1 is in DIR/nodeN/port
# (ports are picked free at `start` and kept in DIR/ports). Every node also
# accepts root from 127.0.0.1 over TCP without a password: the cluster listens
# on loopback only and lives for one test run.
#
# Settings as the note found them to work: ROW binlog, autoinc lock mode 2,
# rsync state transfer, and wsrep_mode=REQUIRED_PRIMARY_KEY so that a table
# without a primary key fails its CREATE (the schema is checked by migrating).
# The nodes run as the `mysql` user: run as root, the joiner's rsync drops to
# `nobody` and the state transfer fails. DIR must therefore be reachable by
# mysql (its parents searchable). Commits are durable on each node
# (innodb_flush_log_at_trx_commit=1) unless BOXWARDEN_GALERA_FLUSH_AT_COMMIT=2.
set -eu
usage="usage: galera.sh start|stop DIR | start-node|stop-node|kill-node|wait-synced DIR N"
cmd=${1:?$usage}
dir=${2:?$usage}
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
. "$here/stop-by-pid.sh"
harness_dir=$here
. "$harness_dir/free-port.sh"

run_user=mysql
[ "$(id -u)" = 0 ] || run_user=$(id -un)

node_dir() { echo "$dir/node$1"; }

# DIR/ports: "SQL1 SQL2 SQL3 GCOMM1 GCOMM2 GCOMM3 IST1 IST2 IST3 SST1 SST2 SST3"
port_of() {
    # port_of KIND N with KIND = sql|gcomm|ist|sst
    set -- "$1" "$2" $(cat "$dir/ports")
    kind=$1
    n=$2
    shift 2
    case "$kind" in
    sql) idx=$n ;;
    gcomm) idx=$((3 + n)) ;;
    ist) idx=$((6 + n)) ;;
    sst) idx=$((9 + n)) ;;
    esac
    eval "echo \${$idx}"
}

write_config() {
    n=$1
    d=$(node_dir "$n")
    cluster="gcomm://127.0.0.1:$(port_of gcomm 1),127.0.0.1:$(port_of gcomm 2),127.0.0.1:$(port_of gcomm 3)"
    cat >"$d/my.cnf" <<EOF
[mariadbd]
datadir = $d/data
tmpdir = $d/tmp
socket = $d/mysqld.sock
pid-file = $d/mysqld.pid
log-error = $d/error.log
port = $(port_of sql "$n")
bind-address = 127.0.0.1
user = $run_user
default-time-zone = +00:00
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
max-connections = 500
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
innodb_buffer_pool_size = 64M
innodb_flush_log_at_trx_commit = ${BOXWARDEN_GALERA_FLUSH_AT_COMMIT:-1}
performance_schema = OFF
skip-name-resolve
wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = boxwarden_test
wsrep_cluster_address = $cluster
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:$(port_of gcomm "$n")
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$(port_of gcomm "$n");ist.recv_addr=127.0.0.1:$(port_of ist "$n");gcache.size=32M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$(port_of sst "$n")
wsrep_mode = REQUIRED_PRIMARY_KEY
wsrep_slave_threads = 2
EOF
}

sql_on() {
    # sql_on N STATEMENT -> the value
    mariadb --no-defaults -S "$(node_dir "$1")/mysqld.sock" -uroot -N -B -e "$2" 2>/dev/null
}

wait_synced() {
    n=$1
    i=0
    while :; do
        state=$(sql_on "$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'" | cut -f2 || true)
        status=$(sql_on "$n" "SHOW STATUS LIKE 'wsrep_cluster_status'" | cut -f2 || true)
        [ "$state" = Synced ] && [ "$status" = Primary ] && return 0
        i=$((i + 1))
        if [ "$i" -gt 1200 ]; then
            echo "galera: node $n not Synced after 120 s (state '$state', '$status')" >&2
            tail -n 30 "$(node_dir "$n")/error.log" >&2 || true
            return 1
        fi
        # A node that died (e.g. failed state transfer) will not get there.
        # Ask the process, not mysqld.pid: a joiner writes that file only
        # after its state transfer, which waits for a primary component (up
        # to evs.inactive_timeout and more when the machine is loaded).
        pid=$(tr -dc '0-9' <"$(node_dir "$n")/launcher.pid" 2>/dev/null || true)
        if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "galera: node $n is not running (mariadbd exited)" >&2
            tail -n 30 "$(node_dir "$n")/error.log" >&2 || true
            return 1
        fi
        sleep 0.1
    done
}

start_node() {
    n=$1
    shift
    d=$(node_dir "$n")
    stop_by_pidfile "$d/mysqld.pid" 600
    write_config "$n"
    chown -R "$run_user" "$d"
    mariadbd --defaults-file="$d/my.cnf" "$@" >>"$d/stdout.log" 2>&1 &
    echo $! >"$d/launcher.pid"
}

case "$cmd" in
start)
    for n in 3 2 1; do [ -d "$(node_dir "$n")" ] && stop_by_pidfile "$(node_dir "$n")/mysqld.pid" 600; done
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 0755 "$dir"
    ports=""
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do ports="$ports $(free_port)"; done
    echo $ports >"$dir/ports"
    for n in 1 2 3; do
        # Each node its own tmpdir (see mariadb.sh: bootstraps at once in
        # /tmp collided on their temporary tables).
        mkdir -p "$(node_dir "$n")/tmp"
        chown "$run_user" "$(node_dir "$n")/tmp"
        chmod 0755 "$(node_dir "$n")"
        port_of sql "$n" >"$(node_dir "$n")/port"
    done
    d1=$(node_dir 1)
    mariadb-install-db --no-defaults --datadir="$d1/data" --tmpdir="$d1/tmp" --user="$run_user" \
        --auth-root-authentication-method=normal >"$dir/install.log" 2>&1 ||
        { cat "$dir/install.log"; exit 1; }
    start_node 1 --wsrep-new-cluster
    wait_synced 1
    sql_on 1 "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION" ||
        { echo "galera: cannot create root@127.0.0.1" >&2; exit 1; }
    for n in 2 3; do
        mkdir -p "$(node_dir "$n")/data"
        start_node "$n"
        wait_synced "$n"
    done
    size=$(sql_on 1 "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
    [ "$size" = 3 ] || { echo "galera: cluster size $size, expected 3" >&2; exit 1; }
    echo "galera ready: nodes on 127.0.0.1:$(port_of sql 1),$(port_of sql 2),$(port_of sql 3)"
    ;;
stop)
    for n in 3 2 1; do
        [ -d "$(node_dir "$n")" ] && stop_by_pidfile "$(node_dir "$n")/mysqld.pid" 600
    done
    echo "galera stopped"
    ;;
start-node)
    n=${3:?$usage}
    start_node "$n"
    wait_synced "$n"
    echo "galera node $n Synced"
    ;;
stop-node)
    n=${3:?$usage}
    stop_by_pidfile "$(node_dir "$n")/mysqld.pid" 600
    ;;
kill-node)
    n=${3:?$usage}
    pidfile="$(node_dir "$n")/mysqld.pid"
    pid=$(tr -dc '0-9' <"$pidfile")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    rm -f "$pidfile"
    ;;
wait-synced)
    wait_synced "${3:?$usage}"
    ;;
*)
    echo "$usage" >&2
    exit 2
    ;;
esac
