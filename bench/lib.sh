# Shared by the bench/*.sh scripts (sourced, not run).
#   BATCHLINE_BUILD_DIR  Maven output folder to use (default: target, as ./batchline builds it)
#   BENCH_DIR            scratch folder for generated data and outputs (default: a new /tmp/batchline-bench.*)
#   BATCHLINE_JAVA_OPTS  extra JVM options, passed as the ./batchline launcher passes them
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BATCHLINE_BUILD_DIR:-target}"
LOCAL_JAR="$ROOT/local/$BUILD/batchline-local.jar"
CLI_CP="$LOCAL_JAR:$ROOT/local/$BUILD/lib/*"
BENCH_DIR="${BENCH_DIR:-$(mktemp -d /tmp/batchline-bench.XXXXXX)}"
mkdir -p "$BENCH_DIR"

need_build() {
  if [[ ! -f "$LOCAL_JAR" || ! -f "$ROOT/functions/$BUILD/function.zip" ]]; then
    echo "bench: no build in local/$BUILD and functions/$BUILD; run first:" >&2
    echo "  ./mvnw -B -DskipTests package     (or set BATCHLINE_BUILD_DIR to the folder you built into)" >&2
    exit 2
  fi
}

# The CLI exactly as ./batchline starts it (JVM start included; the launcher's own staleness check is not).
# shellcheck disable=SC2206 # BATCHLINE_JAVA_OPTS is split into words, as the launcher does
CLI=(java -Dhttp.keepAlive=false ${BATCHLINE_JAVA_OPTS:-} -Dbatchline.home="$ROOT"
  -Dbatchline.functions.dir="$ROOT/functions/$BUILD" -cp "$CLI_CP" io.batchline.local.Cli)
cli() { "${CLI[@]}" "$@"; }

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
