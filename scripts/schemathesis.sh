#!/usr/bin/env bash
# Runs schemathesis 4.32 over the whole OpenAPI document against the real server (embedded SQLite in a temporary
# directory, admin token) with three simulated devices (sim-1..3, as the document's examples name them). The stream
# routes (SSE, WebSocket) are left out: their answers never end. Exit status: schemathesis's (0 = nothing found).
# Usage: scripts/schemathesis.sh [MAX_EXAMPLES] [SEED]      (make schemathesis)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
MAX_EXAMPLES=${1:-20}
SEED=${2:-1}
VENV=.build/schemathesis-venv
# Every package pinned (scripts/schemathesis-requirements.txt): a newer hypothesis would generate other cases.
REQUIREMENTS=scripts/schemathesis-requirements.txt
cmp -s "$REQUIREMENTS" "$VENV/requirements.txt" 2>/dev/null || {
  rm -rf "$VENV" && python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$REQUIREMENTS" && cp "$REQUIREMENTS" "$VENV/requirements.txt"; }
swift build --product lwm2m-server >/dev/null
swift build --product lwm2m-sim >/dev/null
BIN=$(swift build --show-bin-path)
DATA=$(mktemp -d /tmp/lwm2m-schemathesis.XXXXXX)
HTTP=$(free_port SOCK_STREAM); COAP=$(free_port SOCK_DGRAM); COAPS=$(free_port SOCK_DGRAM)
TOKEN=schemathesis-$(date +%s%N)
cleanup() { kill "$SIM" "$SERVER" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
LWM2M_API_TOKEN=$TOKEN "$BIN/lwm2m-server" --data-dir "$DATA" --http-port "$HTTP" --coap-port "$COAP" \
  --coaps-port "$COAPS" --register-rate 0 > "$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done
"$BIN/lwm2m-sim" --server "coap://127.0.0.1:$COAP" --count 3 --prefix sim- --lifetime 300 > "$DATA/sim.log" 2>&1 &
SIM=$!
for _ in $(seq 100); do
  [ "$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP/api/v1/endpoints?online=true&limit=1" -o /dev/null -D - \
      | tr -d '\r' | awk -F': ' 'tolower($1)=="x-total-count"{print $2}')" = 3 ] && break
  sleep 0.1
done
status=0
"$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run docs/openapi.yaml \
  --url "http://127.0.0.1:$HTTP" --header "Authorization: Bearer $TOKEN" \
  --exclude-path /api/v1/stream --exclude-path /api/v1/ws \
  --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 || status=$?
# A 5xx is schemathesis's own finding (not_a_server_error); a server that died under it is this script's.
kill -0 "$SERVER" 2>/dev/null || { echo "the server is not running any more:"; tail -20 "$DATA/server.log"; status=1; }
exit $status
