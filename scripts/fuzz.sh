#!/usr/bin/env bash
# Runs each libFuzzer target of `lwm2m-fuzz` (issue P8 item 4) for SECONDS seconds, one after the other:
#
#   scripts/fuzz.sh SECONDS [TARGET...]        (make fuzz SECONDS=600)
#   FUZZ_RUNS=N scripts/fuzz.sh 0 [TARGET...]  (N inputs each from seed 1: repeatable; make test runs 20,000)
#
# Needs the sanitizer build (`make fuzz-build`: -sanitize=fuzzer,address, linked with lld, in .build-fuzz).
# Each target starts from its seeds in Fuzz/corpus/TARGET and keeps what it finds in .build-fuzz/corpus/TARGET;
# a crash, hang or sanitizer report is written to .build-fuzz/crashes/TARGET/ and fails the run. A finding, once
# fixed, goes into Fuzz/regressions/TARGET/ so that FuzzCorpusTests replays it in every `make test`.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(link-format tlv senml-json senml-cbor lwm2m-json cbor text ddf-xml registration-query rest-bodies)
fi
BIN=.build-fuzz/debug/lwm2m-fuzz
[ -x "$BIN" ] || { echo "fuzz.sh: $BIN is missing; run make fuzz-build" >&2; exit 2; }
# Leak reports at exit come from the Swift runtime's caches, not from the decoders: off. The backtracer would
# try to symbolicate inside libFuzzer's crash handler and hang: off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export SWIFT_BACKTRACE=enable=no
failed=0
printf '%-20s %8s %12s %10s %8s %8s\n' target seconds executions "exec/s" corpus crashes
for target in "${TARGETS[@]}"; do
  corpus=.build-fuzz/corpus/$target crashes=.build-fuzz/crashes/$target log=.build-fuzz/logs/$target.log
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  started=$SECONDS
  if [ -n "${FUZZ_RUNS:-}" ]; then budget=(-runs="$FUZZ_RUNS" -seed=1); else budget=(-max_total_time="$SECONDS_EACH"); fi
  LWM2M_FUZZ_TARGET=$target "$BIN" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=$(find "$crashes" -type f | wc -l)
  printf '%-20s %8s %12s %10s %8s %8s\n' "$target" "$((SECONDS - started))" "${runs:-?}" "${rate:-?}" \
    "$(find "$corpus" -type f | wc -l)" "$found"
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "fuzz.sh: $target failed (exit $status, $found finding(s) in $crashes); last lines of $log:" >&2
    tail -30 "$log" >&2
  fi
done
exit $failed
