#!/usr/bin/env bash
# Notification-ingest benchmark, outside the test suite (issues 4 and 9).
#
#   scripts/bench.sh [DEVICES] [SECONDS] [PACED_FRACTIONS]    (defaults: 1000 devices, 20 s, "0.5 0.8")
#   SERVER_ARGS="--udp-receive-buffer 0" scripts/bench.sh ...   (extra lwm2m-server flags, e.g. to compare settings)
#
# In one run, on this machine:
#  1. baseline: raw libcoap round trips per second — lwm2m-bench keeps one confirmable PUT in flight on each of
#     DEVICES sessions against libcoap's own coap-server-notls;
#  2. saturated: the real lwm2m-server (release build, SQLite in a temporary directory) with DEVICES lwm2m-sim
#     devices observed through a profile on /3303/0/5700 and notifying as fast as the simulator allows;
#  3. paced: the same devices notifying at a fixed interval chosen so that they offer each fraction in
#     PACED_FRACTIONS of the rate stored in step 2 (the target: no loss below the rate the server can store);
#  4. decode: what decoding one report costs on the CoAP I/O thread (`lwm2m-bench decode`), per payload kind, by
#     the route reports take now and by the node route of before issue 10, set against the raw round trip.
# For steps 2 and 3 it reports, per second over the measured window: offered (notifications the simulator sent),
# received (notifications the server decoded, `lwm2m_reports_total`), stored (rows added to `resource`) and the
# server socket's kernel drops (`/proc/net/udp`); and over the whole phase, once the simulator has stopped and the
# ingest has drained, the totals and the losses: before the server (offered − received; the kernel's drops on the
# server socket are shown beside it) and at it (reports refused by a full ingest queue). Both must be 0 when paced.
# Rates are also given as ratios of the raw libcoap baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-1000}
DURATION=${2:-20}
FRACTIONS=${3:-0.5 0.8}
TOKEN=bench-token

make deps >/dev/null
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
swift build -c release >/dev/null
BIN=.build/release
WORK=$(mktemp -d)
cleanup() {
  for pid in ${SIM:-} ${SERVER:-} ${RAWPID:-}; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. scripts/bench-lib.sh
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "== baseline: raw libcoap round trips ($DEVICES sessions, ${DURATION}s)"
RAWPORT=$(free_port SOCK_DGRAM)
coap-server-notls -A 127.0.0.1 -p "$RAWPORT" >/dev/null 2>&1 &
RAWPID=$!
sleep 0.5
RAWLINE=$("$BIN/lwm2m-bench" --target "coap://127.0.0.1:$RAWPORT" --sessions "$DEVICES" --duration "$DURATION")
echo "$RAWLINE"
RAW=$(sed -n 's/.*raw_round_trips_per_second=\([0-9]*\).*/\1/p' <<<"$RAWLINE")
kill "$RAWPID"; wait "$RAWPID" 2>/dev/null || true; RAWPID=

COAP=$(free_port SOCK_DGRAM); HTTP=$(free_port SOCK_STREAM)
LWM2M_API_TOKEN=$TOKEN "$BIN/lwm2m-server" --host 127.0.0.1 --coap-port "$COAP" --coaps-port 0 --http-port "$HTTP" --register-rate 0 \
  --data-dir "$WORK/data" --log-level warning ${SERVER_ARGS:-} >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done
# pmin 0 and a step no value reaches: devices notify on their interval (--notify-interval) only, not on changes.
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  "http://127.0.0.1:$HTTP/api/v1/observation-profiles" \
  -d '{"name":"bench","paths":["/3303/0/5700"],"attributes":{"pmin":0,"st":1000000}}' >/dev/null

rows() { sqlite3 "$WORK/data/lwm2m.sqlite" 'PRAGMA busy_timeout=5000; SELECT count(*) FROM resource;' | tail -1; }
# Notifications the server decoded (accepted by the ingest or refused by a full queue), and those refused.
reports_metric() {
  curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP/metrics" \
    | awk -v want="$1" '/^lwm2m_reports_total\{/ && /kind="notification"/ && $0 ~ want {sum += $NF} END {printf "%d\n", sum}'
}
received() { reports_metric 'outcome='; }
refused() { reports_metric 'outcome="rejected"'; }
# Datagrams the kernel dropped on the server's CoAP socket (last column of /proc/net/udp), and system-wide.
kernel_drops() {
  awk -v port="$(printf '%04X' "$COAP")" 'NR > 1 { split($2, a, ":"); if (a[2] == port) d += $NF } END {printf "%d\n", d}' \
    /proc/net/udp
}
rcvbuf_errors() { awk '/^Udp:/ { if (++n == 2) print $6 }' /proc/net/snmp; }
stat_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))" "$WORK/sim-stats.json" "$1"; }

# run_phase NAME NOTIFY_INTERVAL: one simulator run; prints the figures and sets STORED_RATE to "stored/s received/s".
run_phase() {
  local name=$1 interval=$2
  echo "== $name: lwm2m-server with $DEVICES simulated devices, --notify-interval $interval (${DURATION}s)"
  local rs ms ks ss qs
  rs=$(rows); ms=$(received); ks=$(kernel_drops); ss=$(rcvbuf_errors); qs=$(refused)
  rm -f "$WORK/sim-stats.json"
  "$BIN/lwm2m-sim" --server "coap://127.0.0.1:$COAP" --count "$DEVICES" --prefix bench- --lifetime 600 \
    --notify-interval "$interval" --tick-ms 5 --log-level warning --stats-file "$WORK/sim-stats.json" \
    >"$WORK/sim-$name.log" 2>&1 &
  SIM=$!
  # Warm-up: every device registered and observed, then a few seconds more.
  for _ in $(seq 300); do
    [ -f "$WORK/sim-stats.json" ] && [ "$(stat_field observeAnswers)" -ge "$DEVICES" ] && break
    sleep 0.1
  done
  sleep 3
  local r0 m0 k0 c0 t0 o0 ot0 r1 m1 k1 c1 t1 o1 ot1
  r0=$(rows); m0=$(received); k0=$(kernel_drops); c0=$(cpu_ticks "$SERVER"); t0=$(now)
  o0=$(stat_field notifications); ot0=$(stat_field time)
  sleep "$DURATION"
  r1=$(rows); m1=$(received); k1=$(kernel_drops); c1=$(cpu_ticks "$SERVER"); t1=$(now)
  o1=$(stat_field notifications); ot1=$(stat_field time)
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
  # Stop the simulator (its last stats are written at exit), then let the ingest drain.
  kill -TERM "$SIM"; wait "$SIM" 2>/dev/null || true; SIM=
  local last=-1 cur
  for _ in $(seq 60); do cur=$(rows); [ "$cur" = "$last" ] && break; last=$cur; sleep 0.5; done
  local rf mf kf sf of oa qf
  rf=$(rows); mf=$(received); kf=$(kernel_drops); sf=$(rcvbuf_errors); qf=$(refused)
  of=$(stat_field notifications); oa=$(stat_field observeAnswers)
  STORED_RATE=$(python3 - "$RAW" "$r0" "$r1" "$m0" "$m1" "$k0" "$k1" "$c0" "$c1" "$t0" "$t1" "$o0" "$o1" "$ot0" "$ot1" \
      "$rs" "$rf" "$ms" "$mf" "$ks" "$kf" "$ss" "$sf" "$of" "$oa" "$qs" "$qf" "$rss" "$(getconf CLK_TCK)" <<'PY'
import sys
(raw, r0, r1, m0, m1, k0, k1, c0, c1, t0, t1, o0, o1, ot0, ot1,
 rs, rf, ms, mf, ks, kf, ss, sf, of, oa, qs, qf, rss, tck) = sys.argv[1:]
raw = float(raw)
secs = float(t1) - float(t0)
offered = (int(o1) - int(o0)) / max(float(ot1) - float(ot0), 1e-9)
received = (int(m1) - int(m0)) / secs
stored = (int(r1) - int(r0)) / secs
drops = (int(k1) - int(k0)) / secs
cpu = (int(c1) - int(c0)) / int(tck) / secs * 100
# Whole phase: the first answer to each Observe is stored like a notification, so it is received but not offered.
offered_total = int(of)
received_total = int(mf) - int(ms) - int(oa)
stored_total = int(rf) - int(rs) - int(oa)
loss = offered_total - received_total
out = sys.stderr
print(f"  window {secs:.1f}s: offered_per_second={offered:.0f} received_per_second={received:.0f} "
      f"stored_per_second={stored:.0f} kernel_drops_per_second={drops:.0f}", file=out)
print(f"  ratios to raw libcoap ({raw:.0f}/s): offered={offered / raw:.2f} received={received / raw:.2f} "
      f"stored={stored / raw:.2f}", file=out)
refused = int(qf) - int(qs)
print(f"  whole phase: offered={offered_total} received={received_total} stored={stored_total} "
      f"lost_before_the_server={loss} ({100 * loss / max(offered_total, 1):.2f} %, kernel_drops={int(kf) - int(ks)}, "
      f"udp_rcvbuf_errors_system={int(sf) - int(ss)}) refused_by_full_ingest_queue={refused} "
      f"({100 * refused / max(offered_total, 1):.2f} %)", file=out)
print(f"  server_cpu_percent_of_one_core={cpu:.0f} server_rss_mib={int(rss) / 1024:.0f}", file=out)
print(f"{stored:.0f} {received:.0f}")
PY
  )
}

run_phase saturated 0.001
SATURATED=${STORED_RATE% *}
SATURATED_RECEIVED=${STORED_RATE#* }
for fraction in $FRACTIONS; do
  interval=$(python3 -c "print(round($DEVICES / ($fraction * $SATURATED), 4))")
  run_phase "paced-$fraction" "$interval"
done
echo "== decode: one report by the values route (decodeValues, now) and the node route (before issue 10)"
# The CoAP I/O thread decodes every notification; set against one raw libcoap round trip of this run, and as the
# share of one core it takes at the rate the server received when saturated.
"$BIN/lwm2m-bench" decode --seconds 1 | python3 -c '
import sys
raw, received = float(sys.argv[1]), float(sys.argv[2])
for line in sys.stdin:
    fields = dict(item.split("=", 1) for item in line.split()[1:])
    ns, name = float(fields["ns_per_report"]), fields["payload"]
    print(line.strip())
    print(f"  {name}: {ns / (1e9 / raw):.3f} of a raw round trip; {100 * ns * received / 1e9:.1f} % of one core "
          f"if each of the {received:.0f} reports/s received when saturated were this one")
' "$RAW" "$SATURATED_RECEIVED"
grep -iE "error|dropped" "$WORK/server.log" | head -5 || true
