#!/usr/bin/env bash
# Notification-ingest benchmark, outside the test suite (issue 4).
#
#   scripts/bench.sh [DEVICES] [SECONDS]        (defaults: 1000 devices, 20 s)
#
# In one run, on this machine:
#  1. baseline: raw libcoap round trips per second — lwm2m-bench keeps one confirmable PUT in flight on each of
#     DEVICES sessions against libcoap's own coap-server-notls;
#  2. the real lwm2m-server (release build, SQLite in a temporary directory) with DEVICES lwm2m-sim devices
#     observed through a profile on /3303/0/5700 and notifying as fast as the simulator allows; measured: values
#     persisted per second (rows added to `resource`), the server's CPU (% of one core) and resident memory.
# It prints both rates and their ratio (the target is at least 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-1000}
DURATION=${2:-20}
TOKEN=bench-token

make deps >/dev/null
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
swift build -c release >/dev/null
BIN=.build/release
WORK=$(mktemp -d)
cleanup() {
  for pid in ${SIM:-} ${SERVER:-} ${RAWPID:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c "import socket;s=socket.socket(socket.AF_INET,socket.$1);s.bind(('127.0.0.1',0));print(s.getsockname()[1])"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now() { date +%s.%N; }

echo "== baseline: raw libcoap round trips ($DEVICES sessions, ${DURATION}s)"
RAWPORT=$(free_port SOCK_DGRAM)
coap-server-notls -A 127.0.0.1 -p "$RAWPORT" >/dev/null 2>&1 &
RAWPID=$!
sleep 0.5
RAWLINE=$("$BIN/lwm2m-bench" --target "coap://127.0.0.1:$RAWPORT" --sessions "$DEVICES" --duration "$DURATION")
echo "$RAWLINE"
RAW=$(sed -n 's/.*raw_round_trips_per_second=\([0-9]*\).*/\1/p' <<<"$RAWLINE")
kill "$RAWPID"; wait "$RAWPID" 2>/dev/null || true; RAWPID=

echo "== lwm2m-server with $DEVICES simulated devices notifying (${DURATION}s)"
COAP=$(free_port SOCK_DGRAM); HTTP=$(free_port SOCK_STREAM)
LWM2M_API_TOKEN=$TOKEN "$BIN/lwm2m-server" --host 127.0.0.1 --coap-port "$COAP" --coaps-port 0 --http-port "$HTTP" \
  --data-dir "$WORK/data" --log-level warning >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$HTTP/api/v1/observation-profiles" \
  -d '{"name":"bench","paths":["/3303/0/5700"],"attributes":{"pmin":0}}' >/dev/null
"$BIN/lwm2m-sim" --server "coap://127.0.0.1:$COAP" --count "$DEVICES" --prefix bench- --lifetime 600 \
  --notify-interval 0.001 --tick-ms 5 --log-level warning >"$WORK/sim.log" 2>&1 &
SIM=$!
sleep 8  # registration, observations, warm-up
rows() { sqlite3 "$WORK/data/lwm2m.sqlite" 'PRAGMA busy_timeout=5000; SELECT count(*) FROM resource;' | tail -1; }
R0=$(rows); C0=$(cpu_ticks "$SERVER"); T0=$(now)
sleep "$DURATION"
R1=$(rows); C1=$(cpu_ticks "$SERVER"); T1=$(now)
RSS=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
OBSERVED=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP/api/v1/endpoints?online=true" \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
python3 - "$RAW" "$R0" "$R1" "$C0" "$C1" "$T0" "$T1" "$RSS" "$DEVICES" "$OBSERVED" "$(getconf CLK_TCK)" <<'PY'
import sys
raw, r0, r1, c0, c1, t0, t1, rss, devices, online, tck = sys.argv[1:]
secs = float(t1) - float(t0)
rate = (int(r1) - int(r0)) / secs
cpu = (int(c1) - int(c0)) / int(tck) / secs * 100
print(f"persisted_values_per_second={rate:.0f} rows_added={int(r1) - int(r0)} seconds={secs:.1f} online_devices={online}/{devices}")
print(f"server_cpu_percent_of_one_core={cpu:.0f} server_rss_mib={int(rss) / 1024:.0f}")
print(f"ratio_persisted_to_raw={rate / float(raw):.2f} (raw_round_trips_per_second={float(raw):.0f})")
PY
grep -iE "error|dropped" "$WORK/server.log" | head -5 || true
