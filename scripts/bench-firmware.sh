#!/usr/bin/env bash
# Firmware delivery benchmark, outside the test suite (issue P7).
#
#   scripts/bench-firmware.sh [DEVICES] [IMAGE_KIB] [CONCURRENCY]    (defaults: 1000 devices, 256 KiB, 50)
#
# In one run, on this machine:
#  1. baseline: plain libcoap Block2 — DEVICES downloads of the image by libcoap's coap-client-notls (1024-byte
#     blocks) from libcoap's coap-server-notls, CONCURRENCY at a time;
#  2. CoAP pull: the real lwm2m-server (release build, SQLite in a temporary directory) updates DEVICES lwm2m-sim
#     devices with a campaign (`method: coap-pull`, `maxConcurrent: CONCURRENCY`): each device is observed,
#     gets the package URI, downloads the image block-wise from the server's /fw/<token>, is told to install,
#     reboots, registers again and is verified by its version;
#  3. HTTP pull: the same with a second image (`method: http-pull`, GET /fw/<token> on the HTTP port);
#  4. push: the same with a third image (`method: push`): the server writes it to /5/0/0 with Block1 (1024-byte
#     blocks, 64 KiB per queued part), libcoap reassembling it in each device. The same bytes go the other
#     way, so it is set against the same Block2 baseline.
# For each it reports the time to the last success and the bytes per second delivered (DEVICES × image size ÷
# time), and the ratio against the baseline. The campaigns do the whole update, not only the transfer: the ratio
# says what the state machine, the operation queue and the storage cost on top of moving the bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-1000}
KIB=${2:-256}
CONC=${3:-50}
TOKEN=bench-token
BYTES=$((KIB * 1024))

make deps >/dev/null
# Its own scratch path: a release build beside the debug one, without waiting for its lock.
swift build -c release --scratch-path .build-release >/dev/null
BIN=.build-release/release
WORK=$(mktemp -d)
cleanup() {
  for pid in ${SIM:-} ${SERVER:-} ${RAWPID:-}; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. scripts/bench-lib.sh
image() {  # image VERSION FILE: the simulator's header line, then random bytes up to KIB KiB
  { printf 'LWM2M-SIM-FW %s\n' "$1"; head -c "$BYTES" /dev/urandom; } | head -c "$BYTES" > "$2"
}
image 2.0.0 "$WORK/fw-2.bin"
image 3.0.0 "$WORK/fw-3.bin"
image 4.0.0 "$WORK/fw-4.bin"

echo "== baseline: $DEVICES plain libcoap Block2 downloads of $KIB KiB, $CONC at a time"
RAWPORT=$(free_port SOCK_DGRAM)
coap-server-notls -A 127.0.0.1 -p "$RAWPORT" -d 4 >/dev/null 2>&1 &
RAWPID=$!
sleep 0.5
coap-client-notls -m put -b 1024 -f "$WORK/fw-2.bin" "coap://127.0.0.1:$RAWPORT/fw" >/dev/null
coap-client-notls -b 1024 -o "$WORK/check.bin" "coap://127.0.0.1:$RAWPORT/fw"
cmp -s "$WORK/fw-2.bin" "$WORK/check.bin" || { echo "baseline download differs"; exit 1; }
START=$(now)
seq "$DEVICES" | xargs -P "$CONC" -I{} coap-client-notls -b 1024 -o "$WORK/raw-{}.bin" "coap://127.0.0.1:$RAWPORT/fw" \
  2>>"$WORK/raw.log"
# coap-server-notls sometimes restarts a transfer under concurrent clients ("Data body updated during receipt");
# a download that came out wrong is fetched again, and the time counts.
RETRIED=0
for i in $(seq "$DEVICES"); do
  until cmp -s "$WORK/fw-2.bin" "$WORK/raw-$i.bin"; do
    RETRIED=$((RETRIED + 1))
    coap-client-notls -b 1024 -o "$WORK/raw-$i.bin" "coap://127.0.0.1:$RAWPORT/fw" 2>>"$WORK/raw.log"
  done
done
RAWTIME=$(echo "$(now) - $START" | bc -l)
rm -f "$WORK"/raw-*.bin
RAWRATE=$(echo "$DEVICES * $BYTES / $RAWTIME" | bc -l)
printf 'baseline: %.2f s, %.0f bytes/s (%d downloads fetched again)\n' "$RAWTIME" "$RAWRATE" "$RETRIED"
kill "$RAWPID"; wait "$RAWPID" 2>/dev/null || true; RAWPID=

COAP=$(free_port SOCK_DGRAM); HTTP=$(free_port SOCK_STREAM)
LWM2M_API_TOKEN=$TOKEN "$BIN/lwm2m-server" --host 127.0.0.1 --coap-port "$COAP" --coaps-port 0 --http-port "$HTTP" --register-rate 0 \
  --data-dir "$WORK/data" --log-level warning --max-in-flight 1024 >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done
API="http://127.0.0.1:$HTTP/api/v1"
H="Authorization: Bearer $TOKEN"
upload() {
  curl -sf -X POST -H "$H" -H 'Content-Type: application/octet-stream' --data-binary "@$2" \
    "$API/firmware?name=bench&version=$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
FW2=$(upload 2.0.0 "$WORK/fw-2.bin")
FW3=$(upload 3.0.0 "$WORK/fw-3.bin")
FW4=$(upload 4.0.0 "$WORK/fw-4.bin")
"$BIN/lwm2m-sim" --server "coap://127.0.0.1:$COAP" --count "$DEVICES" --prefix bench- --lifetime 600 \
  --rate 200 --fw-install-ms 100 --fw-log "$WORK/fw.jsonl" --log-level warning >"$WORK/sim.log" 2>&1 &
SIM=$!
for _ in $(seq 600); do
  ONLINE=$(curl -sf -H "$H" "$API/endpoints?online=true" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [ "$ONLINE" -ge "$DEVICES" ] && break
  sleep 0.5
done
echo "== $ONLINE devices online"

campaign() {  # campaign FIRMWARE METHOD: runs one campaign to completion, prints seconds
  local id status start
  start=$(now)
  id=$(curl -sf -X POST -H "$H" -H 'Content-Type: application/json' "$API/campaigns" \
    -d "{\"firmwareId\":$1,\"pattern\":\"bench-*\",\"method\":\"$2\",\"maxConcurrent\":$CONC}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    status=$(curl -sf -H "$H" "$API/campaigns/$id" | python3 -c '
import json,sys; c=json.load(sys.stdin); print(c["status"], c["counts"]["succeeded"], c["counts"]["failed"])')
    set -- $status
    [ "$1" = completed ] || [ "$1" = cancelled ] && break
    sleep 0.2
  done
  echo "$(echo "$(now) - $start" | bc -l) $2 $3"
}

report() {  # report NAME "SECONDS SUCCEEDED FAILED"
  set -- "$1" $2
  local rate
  rate=$(echo "$DEVICES * $BYTES / $2" | bc -l)
  printf '%s: %d succeeded, %d failed, last success after %.2f s, %.0f bytes/s = %.3f of the libcoap baseline\n' \
    "$1" "$3" "$4" "$2" "$rate" "$(echo "$rate / $RAWRATE" | bc -l)"
}

echo "== CoAP pull: campaign over $DEVICES devices, $CONC at a time"
report "coap-pull" "$(campaign "$FW2" coap-pull)"
echo "== HTTP pull: campaign over $DEVICES devices, $CONC at a time"
report "http-pull" "$(campaign "$FW3" http-pull)"
echo "== push: campaign over $DEVICES devices, $CONC at a time"
report "push" "$(campaign "$FW4" push)"
SHA2=$(sha256sum "$WORK/fw-2.bin" | cut -d' ' -f1); SHA3=$(sha256sum "$WORK/fw-3.bin" | cut -d' ' -f1)
SHA4=$(sha256sum "$WORK/fw-4.bin" | cut -d' ' -f1)
python3 - "$WORK/fw.jsonl" "$SHA2" "$SHA3" "$DEVICES" "$SHA4" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if '"sha256"' in l]
for sha, method in ((sys.argv[2], "coap-pull"), (sys.argv[3], "http-pull"), (sys.argv[5], "push")):
    good = sum(1 for l in lines if l["method"] == method and l["sha256"] == sha)
    print(f"{method}: {good} of {sys.argv[4]} devices logged the image's SHA-256")
PY
