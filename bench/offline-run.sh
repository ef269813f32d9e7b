#!/usr/bin/env bash
# A whole run on the offline stack: wall time per stage and peak memory.
#
#   bench/offline-run.sh [N]        default N = 100000 tickets; e.g. bench/offline-run.sh 1000000
#
# Generates N tickets, runs `local run` with the sample job on a fresh offline stack (simulated batches take
# 3 s, polling every 1-5 s: the provider's hours are not measured, the pipeline's own time is), in shards
# of BENCH_SHARD_REQUESTS (default 10000) requests, and prints:
#   - the run's wall time and the time spent in each state, summed over its entries, from `local history`
#     (Step Functions events; Map iterations overlap, so the Collect figure is the sum of the iterations),
#   - peak RSS of the CLI process (which hosts the emulators and the simulator) and of every function JVM,
#     sampled once a second from /proc (VmHWM), and the run's counts from report.json.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_build
N="${1:-100000}"
SHARD="${BENCH_SHARD_REQUESTS:-10000}"
machine
input="$BENCH_DIR/tickets-$N.jsonl"
[[ -s "$input" ]] || java "$ROOT/samples/ticket-triage/GenerateTickets.java" "$N" 42 > "$input"
echo "input: $N tickets, $(mb "$(stat -L -c %s "$input")") MB, shards of $SHARD requests"

jobdir="$BENCH_DIR/job-$N"
mkdir -p "$jobdir"
cp "$ROOT"/samples/ticket-triage/*.jsonl "$jobdir"/ 2>/dev/null || true # golden items, if the job names them
sed "s/^  max_requests: .*/  max_requests: $SHARD/" "$ROOT/samples/ticket-triage/job.yaml" > "$jobdir/job.yaml"
state="$BENCH_DIR/state-$N"
out="$BENCH_DIR/out-$N"
rm -rf "$state" "$out"

# peak RSS per process, sampled from /proc: the CLI and its descendants (function JVMs, emulators)
rss_log="$BENCH_DIR/rss-$N.txt"
: > "$rss_log"
sample_rss() {
  local root=$1
  while kill -0 "$root" 2>/dev/null; do
    local kids grandkids
    kids=$(pgrep -P "$root" 2>/dev/null || true)
    grandkids=$(for k in $kids; do pgrep -P "$k" 2>/dev/null || true; done)
    for pid in $root $kids $grandkids; do
      [[ -r /proc/$pid/status ]] || continue
      name=$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | sed -n 's/^AWS_LAMBDA_FUNCTION_NAME=//p' | head -1)
      [[ -n "$name" ]] || name=$(cut -c1-40 "/proc/$pid/comm" 2>/dev/null)
      [[ $pid == "$root" ]] && name="cli (local run)"
      echo "$name $(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)" >> "$rss_log"
    done
    sleep 1
  done
}

start=$(date +%s.%N)
"${CLI[@]}" local run --job "$jobdir/job.yaml" --state "$state" --out "$out" --timeout 600 "$input" > "$BENCH_DIR/run-$N.log" 2>&1 &
cli_pid=$!
sample_rss "$cli_pid" &
sampler=$!
rc=0
wait "$cli_pid" || rc=$?
end=$(date +%s.%N)
wait "$sampler" 2>/dev/null || true
cat "$BENCH_DIR/run-$N.log"
[[ $rc == 0 ]] || { echo "bench: local run failed (exit $rc)" >&2; exit 1; }
run_id=$(sed -n 's/.*; run \([A-Za-z0-9_-]*\)$/\1/p' "$BENCH_DIR/run-$N.log" | head -1)

echo
awk -v s="$start" -v e="$end" 'BEGIN {printf "local run: %.1f s wall, stack start and output download included\n", e - s}'
cli local history "$run_id" --state "$state" > "$BENCH_DIR/history-$N.txt" 2>&1 || true
echo "time per state (from local history; the sum over its entries):"
python3 - "$BENCH_DIR/history-$N.txt" <<'PY'
import re, sys
def secs(t):
    parts = [float(p) for p in t.split(':')]
    v = 0.0
    for p in parts: v = v * 60 + p
    return v
entered, total, count = {}, {}, {}
last = 0.0
for line in open(sys.argv[1]):
    m = re.match(r'\s*(\d+)\s+(\S+)\s+(\S+)\s+(.*?)\s{2,}', line + '  ')
    if not m: continue
    t, kind = secs(m.group(2)) if re.match(r'^[\d:.]+$', m.group(2)) else None, m.group(3)
    if t is None: continue
    last = max(last, t)
    rest = line[m.end(3):].strip()
    state = rest.split('  ')[0].strip() if rest else ''
    if kind.endswith('StateEntered'):
        entered.setdefault(state, []).append(t)
    elif kind.endswith('StateExited') and entered.get(state):
        t0 = entered[state].pop(0)
        total[state] = total.get(state, 0) + t - t0
        count[state] = count.get(state, 0) + 1
for state, v in sorted(total.items(), key=lambda kv: -kv[1]):
    print(f"  {state:<28} {v:9.1f} s  ({count[state]} entr{'y' if count[state] == 1 else 'ies'})")
print(f"  execution: {last:.1f} s from start to its last event")
PY
echo "peak RSS (VmHWM) by process, MB:"
awk 'NF > 1 && $NF ~ /^[0-9]+$/ {n = $1; for (i = 2; i < NF; i++) n = n " " $i; v = $NF + 0; if (v > peak[n]) peak[n] = v}
     END {for (n in peak) printf "  %-40s %6.0f\n", n, peak[n] / 1024}' "$rss_log" | sort
python3 -c "
import json,sys; r=json.load(open('$out/report.json'))
print('report: items %d, accepted %d, review %d, rejected %d, failed %d, batches %d' % (r['items'], r['accepted'], r['review'], r['rejected'], r['failed'], len(r.get('batches', []))))"
[[ -n "${BENCH_KEEP:-}" ]] || rm -rf "$state" "$out"
