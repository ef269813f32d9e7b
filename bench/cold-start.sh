#!/usr/bin/env bash
# Cold start of each function under AWS's runtime interface client.
#
#   bench/cold-start.sh
#
# Runs the bundled sample (1,200 tickets) with `local run` on a fresh offline stack: every function starts
# cold in its own JVM (the packaged function jar, Java 17, run by the Lambda host exactly as in
# functions/target/function.zip, 512 MB, -XX:TieredStopAtLevel=1 -XX:+UseSerialGC). The host writes Lambda's
# `platform.initReport` record (JSON log format, `metrics.durationMs`) (process start to the runtime's first /next call) into each
# function's log; this prints them per function. Concurrent cold starts (the collect Map) share the 2 cores.
# SnapStart, which AWS uses for these functions, is not available locally: AWS's init is expected shorter.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_build
machine
state="$BENCH_DIR/cold-start-state"
rm -rf "$state" "$BENCH_DIR/cold-start-out"
cli local run --job "$ROOT/samples/ticket-triage/job.yaml" --state "$state" --out "$BENCH_DIR/cold-start-out" \
  "$ROOT/samples/ticket-triage/tickets.jsonl" > "$BENCH_DIR/cold-start.log" 2>&1 \
  || { cat "$BENCH_DIR/cold-start.log"; exit 1; }
echo
printf '%-22s %8s %8s %8s %8s\n' function "cold" "min ms" "median" "max ms"
for log in "$state"/logs/batchline-*.log; do
  name=$(basename "$log" .log)
  grep '"type":"platform.initReport"' "$log" | grep -o '"durationMs":[0-9.]*' | cut -d: -f2 | sort -n | awk -v f="$name" '
    {v[NR] = $1} END {if (NR) printf "%-22s %8d %8.0f %8.0f %8.0f\n", f, NR, v[1], v[int((NR + 1) / 2)], v[NR]}'
done
