#!/usr/bin/env bash
# Collect speed: results streamed, validated (JSON extraction + output_schema) and routed per item
# through the real CollectStage, without provider latency.
#
#   bench/collect-throughput.sh [N]        default N = 200000 results
#
# Plans N generated tickets with the sample job (shards of up to 100,000 requests, golden items and canary off)
# into a file-backed object store, gives every request the simulator model's answer in the documented
# results format (about 1% errored, 1% not JSON, 3% fenced, 1% breaking the schema, 4% low confidence), then
# collects every shard BENCH_ROUNDS times (default 5; the first rounds include JIT warm-up; each round is a first
# collect: the shards' checkpoints are dropped in between) and prints items/s and items per CPU-second of the
# collecting thread, i.e. per core. BATCHLINE_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" measures with
# the JVM options the local Lambda host gives functions. Code: offline-stack/src/test/java/.../sim/CollectThroughputBench.java
# (built with the tests, so it is compiled against every change, and not part of the shipped jar).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_build
N="${1:-200000}"
machine
input="$BENCH_DIR/tickets-$N.jsonl"
[[ -s "$input" ]] || java "$ROOT/samples/ticket-triage/GenerateTickets.java" "$N" 42 > "$input"
work="$BENCH_DIR/collect-$N"
rm -rf "$work"
timed "$BENCH_DIR/collect-$N" java ${BATCHLINE_JAVA_OPTS:-} -Dbatchline.home="$ROOT" -cp "$BENCH_CP" \
  io.batchline.offline.sim.CollectThroughputBench "$ROOT/samples/ticket-triage/job.yaml" "$input" "$work" "${BENCH_ROUNDS:-5}"
read -r w u s k < "$BENCH_DIR/collect-$N.time"
echo "whole process (planning and result generation included): ${w} s wall, peak RSS $((k / 1024)) MB"
[[ -n "${BENCH_KEEP:-}" ]] || rm -rf "$work"
