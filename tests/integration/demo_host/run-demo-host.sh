#!/bin/sh
# ctest integration.demo_host.start_scenario_stop:
#   run-demo-host.sh SOURCE_DIR BUILD_DIR RUN_DIR
# start (no package install, no build: ctest runs on a built tree), a second
# start (must be a no-op), status --json (every service healthy, the admin
# page with its URL and log), scenario (its exit code is the test's; no step
# may be skipped), stop; then no process of the run is left.
set -u
src=${1:?SOURCE_DIR}
build=${2:?BUILD_DIR}
run=${3:?RUN_DIR}
export BOXWARDEN_DEMO_RUN="$run" BOXWARDEN_DEMO_BUILD="$build" BOXWARDEN_DEMO_NO_BUILD=1 BOXWARDEN_DEMO_PORTS=free
demo="$src/scripts/demo-host.sh"
"$demo" stop >/dev/null 2>&1 || true
rm -rf "$run"
rc=0
t0=$(date +%s)
"$demo" start || { echo "FAIL: start"; rc=1; }
t1=$(date +%s)
if [ "$rc" = 0 ]; then
    "$demo" start >"$run/restart.log" 2>&1 || { cat "$run/restart.log"; echo "FAIL: second start"; rc=1; }
    for svc in boxwarden-policyd boxwarden-milter boxwarden-web; do
        grep -q "$svc already running" "$run/restart.log" || { echo "FAIL: second start restarted $svc"; rc=1; }
    done
    [ "$(stat -c %a "$run/web-admin-password" 2>/dev/null)" = 600 ] ||
        { echo "FAIL: $run/web-admin-password missing or not 0600"; rc=1; }
    "$demo" status --json >"$run/status.json" || { cat "$run/status.json"; echo "FAIL: status --json not healthy"; rc=1; }
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); w=d["services"]["web"]
assert d["healthy"] and all(s["pid"] for s in d["services"].values())
assert w["url"].startswith("http://127.0.0.1:") and w["log"].endswith("/web.log")' \
        "$run/status.json" || { echo "FAIL: status --json content"; rc=1; }
    "$demo" scenario >"$run/scenario.log" 2>&1 || { echo "FAIL: scenario"; rc=1; }
    cat "$run/scenario.log"
    if grep -q "SKIP" "$run/scenario.log"; then echo "FAIL: a scenario step was skipped"; rc=1; fi
fi
t2=$(date +%s)
pids=$(python3 -c 'import json,sys; print(" ".join(str(s["pid"]) for s in json.load(open(sys.argv[1]))["services"].values() if s["pid"]))' "$run/status.json" 2>/dev/null || true)
"$demo" stop || { echo "FAIL: stop"; rc=1; }
for pid in $pids; do
    if kill -0 "$pid" 2>/dev/null; then echo "FAIL: pid $pid still running after stop"; rc=1; fi
done
if [ "$rc" != 0 ]; then
    for log in "$run"/logs/*; do echo "--- $log"; tail -n 30 "$log"; done
fi
echo "demo host: start $((t1 - t0)) s, scenario $((t2 - t1)) s"
exit "$rc"
