# Shared by the bench/*.sh scripts (sourced, not run).
#   BATCHLINE_BUILD_DIR  Maven output folder to use (default: target, as ./batchline builds it)
#   BENCH_DIR            scratch folder for generated data and outputs (default: a new /tmp/batchline-bench.*)
#   BATCHLINE_JAVA_OPTS  extra JVM options, passed as the ./batchline launcher passes them
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BATCHLINE_BUILD_DIR:-target}"
OFFLINE_STACK_JAR="$ROOT/offline-stack/$BUILD/batchline-offline-stack.jar"
# as ./batchline builds them: plan's classpath is the cli module's alone, the other commands add the local module's
PLAN_CP="$ROOT/cli/$BUILD/batchline-cli.jar:$ROOT/cli/$BUILD/lib/*"
CLI_CP="$PLAN_CP:$OFFLINE_STACK_JAR:$ROOT/offline-stack/$BUILD/lib/*"
# the benchmarks' own classes: compiled with the local module's tests, kept out of the shipped jar
BENCH_CP="$ROOT/offline-stack/$BUILD/test-classes:$CLI_CP"
BENCH_DIR="${BENCH_DIR:-$(mktemp -d /tmp/batchline-bench.XXXXXX)}"
mkdir -p "$BENCH_DIR"

need_build() {
  if [[ ! -f "$OFFLINE_STACK_JAR" || ! -f "$ROOT/functions/$BUILD/function.zip" || ! -d "$ROOT/offline-stack/$BUILD/test-classes" ]]; then
    echo "bench: no build in offline-stack/$BUILD and functions/$BUILD; run first:" >&2
    echo "  ./mvnw -B -DskipTests package     (or set BATCHLINE_BUILD_DIR to the folder you built into)" >&2
    exit 2
  fi
}

# The CLI exactly as ./batchline starts it (JVM start included; the launcher's own staleness check is not).
# shellcheck disable=SC2206 # BATCHLINE_JAVA_OPTS is split into words, as the launcher does
CLI=(java -Dhttp.keepAlive=false ${BATCHLINE_JAVA_OPTS:-} -Dbatchline.home="$ROOT"
  -Dbatchline.functions.dir="$ROOT/functions/$BUILD" -cp "$CLI_CP" io.batchline.cli.Cli)
cli() { "${CLI[@]}" "$@"; }

# `plan` as ./batchline starts it: the same JVM options as the launcher's plan branch (keep the two in step)
# and its class-data-sharing archive, written here by a warm-up plan of a few lines as the launcher's first
# plan after a build writes it. BATCHLINE_JAVA_OPTS still comes last and wins.
PLAN_CDS="$BENCH_DIR/cli.jsa"
plan_jvm() {
  local opts=(-Dhttp.keepAlive=false -XX:+UseSerialGC -Xmx384m -XX:TieredStopAtLevel=1 -Xshare:auto -Xlog:cds=off
    -Xlog:cds+dynamic=off)
  [[ "${BATCHLINE_JAVA_OPTS:-}" == *-XX:+Use*GC* ]] && opts=("${opts[@]/-XX:+UseSerialGC}")
  printf '%s\n' "${opts[@]}"
}
# shellcheck disable=SC2206
PLAN_CLI=(java $(plan_jvm) -XX:SharedArchiveFile="$PLAN_CDS" ${BATCHLINE_JAVA_OPTS:-} -Dbatchline.home="$ROOT"
  -Dbatchline.functions.dir="$ROOT/functions/$BUILD" -cp "$PLAN_CP" io.batchline.cli.Cli)
# plan_cds JOB INPUT: writes PLAN_CDS from a plan of INPUT's first 10 lines (once per scratch folder)
plan_cds() {
  [[ -s "$PLAN_CDS" ]] && return 0
  head -10 "$2" > "$BENCH_DIR/cds-warmup.jsonl"
  # shellcheck disable=SC2046,SC2086
  java $(plan_jvm) -XX:ArchiveClassesAtExit="$PLAN_CDS" ${BATCHLINE_JAVA_OPTS:-} -Dbatchline.home="$ROOT" \
    -cp "$PLAN_CP" io.batchline.cli.Cli plan --job "$1" --out "$BENCH_DIR/cds-warmup" "$BENCH_DIR/cds-warmup.jsonl" > /dev/null
  rm -rf "$BENCH_DIR/cds-warmup" "$BENCH_DIR/cds-warmup.jsonl"
}

machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))," \
    "$(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
  echo "java:    $(java -version 2>&1 | head -2 | tail -1)"
  echo "jq:      $(jq --version 2>/dev/null || echo 'not installed')"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min load average at start: other work on the machine slows every figure)"
}

# timed OUT_PREFIX CMD...: runs CMD, writes "<wall s> <user s> <sys s> <peak RSS KB>" to OUT_PREFIX.time.
# Uses GNU time when present (peak RSS of the process tree's largest process), else samples /proc VmHWM.
timed() {
  local prefix="$1"; shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -o "$prefix.time" -f "%e %U %S %M" "$@"
  else
    local start end peak=0 pid hwm
    start=$(date +%s.%N)
    "$@" & pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      (( ${hwm:-0} > peak )) && peak=$hwm
      sleep 0.05
    done
    wait "$pid"
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc) ? ? $peak" > "$prefix.time"
  fi
}

mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }
