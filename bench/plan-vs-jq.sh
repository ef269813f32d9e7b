#!/usr/bin/env bash
# Formatting speed and memory: `batchline plan` beside jq rendering the same Anthropic requests.
#
#   bench/plan-vs-jq.sh [N ...]          default N = 200000; e.g. bench/plan-vs-jq.sh 200000 1000000
#
# For each N: generates N tickets with the sample's generator (samples/ticket-triage/GenerateTickets.java,
# seed 42) into a scratch folder, then times, on the same machine in the same run:
#   plan  the real CLI main class (`plan --job` the sample job, see JOB below) with the launcher's JVM
#         options and class-data-sharing archive (written first by a 10-line warm-up plan, as the
#         launcher's first plan after a build writes it), JVM start included, the launcher's bash
#         staleness check not included. It also validates every line, checks
#         duplicate ids, estimates tokens and writes the shard indexes and plan.json: more work than jq's.
#   jq    /usr/bin/jq doing only the rendering: one request line per ticket with custom_id, model, max_tokens,
#         the model's sampling/thinking/output_config settings, the system prompt with cache_control, and the
#         user message from the sample's template.
#         The system text, model and settings are taken from plan's first request, and jq's first 1,000 lines
#         are checked to be the same JSON as plan's (key order aside), so both render the same requests.
# Prints wall time, CPU time, items/s, MB/s in and out, peak RSS, and plan's speed ratio over jq.
#
#   BENCH_MAX_REQUESTS  shard.max_requests for plan (default: the sample's 250, i.e. 800 shards at 200,000
#                       tickets, two files each). Creating a file costs 0.1 to 1 ms of kernel time on some file
#                       systems (ext4 skips inodes deleted in the last minute), so the shard count shows in plan's
#                       time; e.g. BENCH_MAX_REQUESTS=10000 (the job spec's default) gives 20 shards.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_build
command -v jq >/dev/null || { echo "bench: jq is not installed" >&2; exit 2; }
SIZES=("${@:-200000}")
# The sample job's rendering (model, system prompt with its few-shot examples and schema, user_template,
# cache_control), without the parts jq cannot do in one line per ticket: strata (another template for long
# tickets), long-input chunking (several requests per ticket), golden items and the canary.
JOB="$BENCH_DIR/render-job.yaml"
awk 'BEGIN {split("golden: canary: strata: long_inputs:", a, " "); for (i in a) drop[a[i]] = 1}
     /^[a-z_]+:/ {skip = ($1 in drop)} !skip' "$ROOT/samples/ticket-triage/job.yaml" > "$JOB"
if [[ -n "${BENCH_MAX_REQUESTS:-}" ]]; then
  sed -i "s/^  max_requests: .*/  max_requests: $BENCH_MAX_REQUESTS/" "$JOB"
fi

machine
echo "scratch: $BENCH_DIR"
echo "plan JVM options: $(plan_jvm | tr '\n' ' ')+ a CDS archive ${BATCHLINE_JAVA_OPTS:-}"
echo

cat > "$BENCH_DIR/render.jq" <<'EOF'
{custom_id: ("a1-l" + (input_line_number | tostring)),
 params: ({model: $p.model, max_tokens: $p.max_tokens}
          + ({temperature: $p.temperature, thinking: $p.thinking, output_config: $p.output_config}
             | with_entries(select(.value != null)))
          + {system: [{type: "text", text: $p.system[0].text, cache_control: $p.system[0].cache_control}],
             messages: [{role: "user", content: ("Subject: " + .subject + "\n\nMessage:\n" + .body + "\n")}]})}
EOF

printf '%-9s %-5s %9s %9s %9s %11s %9s %9s %10s\n' items tool "wall s" "cpu s" "items/s" "MB/s in" "MB out" "peak MB" "x jq"
for N in "${SIZES[@]}"; do
  input="$BENCH_DIR/tickets-$N.jsonl"
  [[ -s "$input" ]] || java "$ROOT/samples/ticket-triage/GenerateTickets.java" "$N" 42 > "$input"
  in_bytes=$(stat -L -c %s "$input")
  cat "$input" > /dev/null # both read it from the page cache

  out="$BENCH_DIR/plan-$N"
  rm -rf "$out"
  plan_cds "$JOB" "$input"
  timed "$BENCH_DIR/plan-$N" "${PLAN_CLI[@]}" plan --job "$JOB" --out "$out" "$input" > "$BENCH_DIR/plan-$N.log"
  plan_out=$(cat "$out"/requests/shard-[0-9][0-9][0-9][0-9].jsonl | wc -c)

  head -1 "$out/requests/shard-0000.jsonl" | jq -c .params > "$BENCH_DIR/params.json"
  timed "$BENCH_DIR/jq-$N" jq -c --argfile p "$BENCH_DIR/params.json" -f "$BENCH_DIR/render.jq" "$input" \
    > "$BENCH_DIR/jq-$N.jsonl"
  jq_out=$(stat -c %s "$BENCH_DIR/jq-$N.jsonl")
  if ! cmp -s <(cat "$out"/requests/shard-[0-9][0-9][0-9][0-9].jsonl | head -1000 | jq -S -c .) \
              <(head -1000 "$BENCH_DIR/jq-$N.jsonl" | jq -S -c .); then
    echo "bench: jq's requests differ from plan's: the comparison would be unfair" >&2
    exit 1
  fi

  read -r pw pu ps pk < "$BENCH_DIR/plan-$N.time"
  read -r jw ju js jk < "$BENCH_DIR/jq-$N.time"
  for t in plan jq; do
    if [[ $t == plan ]]; then w=$pw; u=$pu; s=$ps; k=$pk; o=$plan_out; else w=$jw; u=$ju; s=$js; k=$jk; o=$jq_out; fi
    awk -v n="$N" -v t="$t" -v w="$w" -v u="$u" -v s="$s" -v k="$k" -v i="$in_bytes" -v o="$o" -v jw="$jw" \
      'BEGIN {printf "%-9d %-5s %9.2f %9.2f %9.0f %11.1f %9.1f %9.0f %10s\n", n, t, w, u + s, n / w, i / 1e6 / w,
              o / 1e6, k / 1024, (t == "plan" ? sprintf("%.2f", jw / w) : "")}'
  done
  shards=$(find "$out/requests" -name 'shard-[0-9][0-9][0-9][0-9].jsonl' | wc -l)
  echo "          input $(mb "$in_bytes") MB; plan wrote $(mb "$plan_out") MB of requests in $shards shards (+ indexes)," \
    "jq $(mb "$jq_out") MB"
  [[ -n "${BENCH_KEEP:-}" ]] || rm -rf "$out" "$BENCH_DIR/jq-$N.jsonl"
done
echo
echo "wall = elapsed; cpu = user + sys; peak MB = maximum resident set size; x jq = jq's wall time / plan's."
