package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/** Follows one execution through the Step Functions API and prints its progress as a person reads it. */
final class RunFollower {
    private final SfnClient sfn;
    private final PrintStream out;

    /** Batches, items and cost so far; null prints the state transitions only. */
    private final RunProgress progress;

    RunFollower(SfnClient sfn, PrintStream out, RunProgress progress) {
        this.sfn = sfn;
        this.out = out;
        this.progress = progress;
    }

    /** Waits for the intake to start the execution; empty if it did not appear in time. */
    DescribeExecutionResponse awaitStart(String executionArn, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                return sfn.describeExecution(b -> b.executionArn(executionArn));
            } catch (ExecutionDoesNotExistException notYet) {
                Thread.sleep(250);
            }
        }
        return null;
    }

    /**
     * Prints the execution's states and the run's progress until it ends or {@code timeout} passes; returns its
     * last description, still {@code RUNNING} when the time ran out.
     */
    DescribeExecutionResponse follow(String executionArn, Duration timeout) throws InterruptedException {
        Instant start = Instant.now();
        Instant deadline = start.plus(timeout);
        long seen = 0;
        String lastState = null;
        String lastDetail = null;
        String lastProgress = null;
        while (true) {
            var history = sfn.getExecutionHistoryPaginator(b -> b.executionArn(executionArn).maxResults(1000));
            long index = 0;
            for (HistoryEvent e : history.events()) {
                if (index++ < seen) continue;
                seen = index;
                String line = describe(e);
                if (line == null) continue;
                boolean isState = e.type() != null && e.type().toString().endsWith("StateEntered");
                if (isState && line.equals(lastState)) continue; // the Wait/Check loop: print state changes only
                if (!isState && line.equals(lastDetail)) continue;
                if (isState) lastState = line; else lastDetail = line;
                out.printf("  %s  %s%n", clock(Duration.between(start, Instant.now())), line);
            }
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(executionArn));
            String now = progressLine(lastState);
            if (now != null && !now.equals(lastProgress)) {
                lastProgress = now;
                out.printf("  %s      %s%n", clock(Duration.between(start, Instant.now())), now);
            }
            if (d.status() != ExecutionStatus.RUNNING) return d;
            if (Instant.now().isAfter(deadline)) return d;
            Thread.sleep(500);
        }
    }

    /** Only once batches exist: before that there is nothing to count. */
    private String progressLine(String state) {
        if (progress == null || state == null) return null;
        if (!List.of("Wait for batches", "Check batches", "Collect results", "Plan retry round", "Finalize run")
                .contains(state)) {
            return null;
        }
        try {
            RunProgress.Snapshot s = progress.snapshot();
            return s.batches() == 0 ? null : s.describe();
        } catch (RuntimeException e) { // progress is a courtesy: a failed read must not stop following the run
            return "progress unavailable: " + e.getMessage();
        }
    }

    private static String describe(HistoryEvent e) {
        HistoryEventType type = e.type();
        if (type == null) return null;
        String t = type.toString();
        if (t.endsWith("StateEntered") && e.stateEnteredEventDetails() != null) {
            // choices and the Map's per-shard iterations say nothing a person needs while following a run
            if (type == HistoryEventType.CHOICE_STATE_ENTERED) return null;
            String name = e.stateEnteredEventDetails().name();
            return name.equals("Collect shard") ? null : name;
        }
        if (t.endsWith("StateExited") && e.stateExitedEventDetails() != null) {
            return detail(e.stateExitedEventDetails().name(), e.stateExitedEventDetails().output());
        }
        if (type == HistoryEventType.TASK_STATE_ABORTED || t.endsWith("Failed")) {
            String cause = e.lambdaFunctionFailedEventDetails() != null ? e.lambdaFunctionFailedEventDetails().cause()
                    : e.executionFailedEventDetails() != null ? e.executionFailedEventDetails().cause() : null;
            return cause == null ? null : "  error: " + firstLine(cause);
        }
        return null;
    }

    /** The counts a state wrote, for the states whose results say something to a person. */
    static String detail(String state, String output) {
        if (output == null) return null;
        JsonNode o;
        try {
            o = Json.tree(output.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
        return switch (state) {
            case "Plan and format", "Plan retry round" -> {
                JsonNode p = o.path("plan");
                if (!p.isObject()) yield null; // the state failed: its error is printed already
                yield p.path("shards").asInt() == 0 && state.equals("Plan retry round") ? "    nothing to retry"
                        : String.format("    attempt %d: %,d items, %,d requests in %s, %s",
                        p.path("attempt").asInt(), p.path("items").asLong(), p.path("requests").asLong(),
                        count(p.path("shards").asInt(), "shard"), count(p.path("invalid").asLong(), "invalid line"))
                        + (p.path("canary").asBoolean() ? " (the canary's, sent first; the rest waits for its verdict)" : "");
            }
            case "Check canary" -> {
                JsonNode c = o.path("canary");
                if (!c.isObject()) yield null;
                yield String.format("    canary %s: %,d items, validation pass rate %s, $%s per item%s",
                        c.path("passed").asBoolean() ? "passed" : "FAILED", c.path("items").asLong(),
                        c.path("pass_rate").asText(), c.path("cost_per_item_usd").decimalValue().toPlainString(),
                        c.path("passed").asBoolean() ? "; submitting the other " + count(c.path("shards").asInt(), "shard")
                                : ": " + c.path("cause").asText());
            }
            case "Submit batches", "Check batches" -> {
                JsonNode p = o.path("poll");
                yield p.path("all_ended").asBoolean() ? "    all batches ended"
                        : String.format("    %s in progress; next check in %d s",
                        count(p.path("open_batches").asInt(), "batch"), p.path("wait_seconds").asInt());
            }
            default -> null;
        };
    }

    /** "1 shard", "1,200 shards", "1 batch", "2 batches". */
    static String count(long n, String noun) {
        return String.format("%,d %s", n, n == 1 ? noun : noun + (noun.endsWith("ch") ? "es" : "s"));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String clock(Duration d) {
        long s = d.getSeconds();
        return String.format("%02d:%02d", s / 60, s % 60);
    }
}
