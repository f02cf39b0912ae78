#!/usr/bin/env bash
# The fleet list with many endpoints, outside the test suite (issue P9: "fast with 10,000 endpoints").
#
#   scripts/bench-fleet.sh [ENDPOINTS]      (default 10000; make bench-fleet ARGS=10000)
#
# In one run, on this machine (release build):
#  1. `lwm2m-bench fleet`: one page of the list read from SQLite by the SQL route the server takes now (filter, count
#     and keyset page in SQL) against the route it took before (read every endpoint, filter in memory);
#  2. over HTTP: the real server with ENDPOINTS simulated devices registered; the median time of the requests the
#     dashboard's fleet page makes (a page of 50, a page deep in the list, the filters, the presence counts),
#     each against GET /healthz on the same keep-alive connection as the baseline (the HTTP floor).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
TOKEN=bench-token
make deps >/dev/null
swift build -c release --scratch-path .build-release >/dev/null
BIN=.build-release/release
WORK=$(mktemp -d)
cleanup() { for pid in ${SIM:-} ${SERVER:-}; do kill -9 "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
. scripts/bench-lib.sh

echo "== store: SQL page against read-all-then-filter ($N endpoints)"
"$BIN/lwm2m-bench" fleet --endpoints "$N" --repetitions 20

HTTP=$(free_port SOCK_STREAM); COAP=$(free_port SOCK_DGRAM); COAPS=$(free_port SOCK_DGRAM)
LWM2M_API_TOKEN=$TOKEN "$BIN/lwm2m-server" --data-dir "$WORK/data" --http-port "$HTTP" --coap-port "$COAP" \
  --coaps-port "$COAPS" --register-rate 0 --log-level warning > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done
ulimit -n 65536 2>/dev/null || true
"$BIN/lwm2m-sim" --server "coap://127.0.0.1:$COAP" --count "$N" --prefix sim- --lifetime 3600 > "$WORK/sim.log" 2>&1 &
SIM=$!
start=$(now)
for _ in $(seq 1200); do
  online=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP/api/v1/endpoints?online=true&limit=1" \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="x-total-count"{print $2}')
  [ "${online:-0}" -ge "$N" ] && break
  sleep 0.5
done
echo "== HTTP: $online endpoints online after $(echo "$(now) - $start" | bc) s"
python3 - "$HTTP" "$TOKEN" <<'PY'
import http.client, statistics, sys, time, base64
port, token = int(sys.argv[1]), sys.argv[2]
connection = http.client.HTTPConnection("127.0.0.1", port)
headers = {"Authorization": "Bearer " + token}
def median_ms(path, repetitions=30):
    times = []
    for _ in range(repetitions + 2):
        begin = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse(); body = response.read()
        if response.status != 200: raise SystemExit(f"{path}: {response.status} {body[:200]}")
        times.append(time.perf_counter() - begin)
    return statistics.median(times[2:]) * 1000, response.getheader("X-Total-Count"), len(body)
cursor = base64.urlsafe_b64encode(b"sim-5000").decode().rstrip("=")
baseline, _, _ = median_ms("/healthz")
print(f"{'request':58} {'median ms':>10} {'× healthz':>10} {'matches':>8} {'bytes':>7}")
print(f"{'GET /healthz (baseline)':58} {baseline:10.2f} {1:10.1f}")
for path in ["/api/v1/endpoints?limit=50", f"/api/v1/endpoints?limit=50&cursor={cursor}",
             "/api/v1/endpoints?limit=50&name=99", "/api/v1/endpoints?limit=50&object=3303",
             "/api/v1/endpoints?limit=1&presence=online", "/api/v1/endpoints?limit=1&presence=offline",
             "/api/v1/endpoints?limit=1&presence=sleeping", "/api/v1/endpoints"]:
    ms, total, size = median_ms(path, 30 if "limit" in path else 5)
    print(f"{'GET ' + path:58} {ms:10.2f} {ms / baseline:10.1f} {total or '-':>8} {size:7d}")
PY
