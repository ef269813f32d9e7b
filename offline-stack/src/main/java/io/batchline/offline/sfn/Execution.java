package io.batchline.offline.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One execution: its description, its history in AWS HistoryEvent shape (built from the executor's
 * event log), and its files in the state dir ({@code <name>.json} + {@code <name>.history.jsonl}).
 */
final class Execution {
    static final ObjectMapper JSON = new ObjectMapper();

    final String executionArn;
    final String stateMachineArn;
    final String name;
    final String input;
    final long startMillis;
    final JsonNode definition;
    private String status = "RUNNING";
    private long stopMillis;
    private String output;
    private String error;
    private String cause;
    private final List<ObjectNode> events = new ArrayList<>();
    private final Map<String, Long> lastIdByLane = new HashMap<>();
    private final Set<String> failedStates = new HashSet<>();
    private final Path metaFile;
    private final Path historyFile;
    private BufferedWriter historyWriter;

    Execution(String executionArn, String stateMachineArn, String name, String input, long startMillis,
              JsonNode definition, Path dir) {
        this.executionArn = executionArn;
        this.stateMachineArn = stateMachineArn;
        this.name = name;
        this.input = input;
        this.startMillis = startMillis;
        this.definition = definition;
        this.metaFile = dir == null ? null : dir.resolve(fileName(name) + ".json");
        this.historyFile = dir == null ? null : dir.resolve(fileName(name) + ".history.jsonl");
    }

    private static String fileName(String name) {
        // names exclude / \ : and friends (InvalidName); percent-encode what a file system may still dislike
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.') b.append(c);
            else b.append(String.format("%%%04x", (int) c));
        }
        return b.toString();
    }

    synchronized String status() {
        return status;
    }

    synchronized boolean isRunning() {
        return status.equals("RUNNING");
    }

    /** DescribeExecution: the ListExecutions item plus input, output and the failure. */
    synchronized ObjectNode describe() {
        ObjectNode n = listItem();
        n.put("input", input);
        n.putObject("inputDetails").put("included", true);
        if (output != null) {
            n.put("output", output);
            n.putObject("outputDetails").put("included", true);
        }
        if (error != null) n.put("error", error);
        if (cause != null) n.put("cause", cause);
        return n;
    }

    synchronized ObjectNode listItem() {
        ObjectNode n = JSON.createObjectNode();
        n.put("executionArn", executionArn);
        n.put("stateMachineArn", stateMachineArn);
        n.put("name", name);
        n.put("status", status);
        n.put("startDate", startMillis / 1000.0);
        if (stopMillis != 0) n.put("stopDate", stopMillis / 1000.0);
        return n;
    }

    synchronized List<ObjectNode> events() {
        return List.copyOf(events);
    }

    synchronized long stopMillis() {
        return stopMillis;
    }

    // ---- history --------------------------------------------------------------------------------

    synchronized void started() {
        ObjectNode d = JSON.createObjectNode();
        d.put("input", input);
        d.putObject("inputDetails").put("truncated", false);
        d.put("roleArn", "arn:aws:iam::000000000000:role/batchline-local");
        add("ExecutionStarted", "executionStartedEventDetails", d, "", startMillis);
        persistMeta();
    }

    /** One line of the runner's output: {"kind":"event",...}. Maps the executor's events to AWS's. */
    synchronized void onRunnerEvent(JsonNode line) {
        if (!isRunning()) return;
        JsonNode e = line.path("event");
        String type = e.path("type").asText();
        long ts = e.path("timestamp").asLong(System.currentTimeMillis());
        String lane = e.has("index") ? "iteration:" + e.path("index").asText() : "";
        JsonNode state = e.path("state");
        String stateName = state.path("name").asText();
        String stateType = state.path("type").asText();
        String key = stateName + "|" + lane;
        boolean lambda = line.has("resource") || line.has("invocation");
        switch (type) {
            case "StateEntered" -> {
                add(stateType + "StateEntered", "stateEnteredEventDetails", nameAndData(stateName, "input", state.path("input")), lane, ts);
                failedStates.remove(key);
                if (stateType.equals("Task") && lambda) lambdaScheduled(line, lane, ts);
                if (stateType.equals("Map")) {
                    ObjectNode d = JSON.createObjectNode();
                    d.put("length", mapLength(stateName, state.path("input")));
                    add("MapStateStarted", "mapStateStartedEventDetails", d, lane, ts);
                }
            }
            case "StateRetried" -> {
                if (stateType.equals("Task") && lambda) lambdaScheduled(line, lane, ts);
            }
            case "StateFailed" -> {
                failedStates.add(key);
                if (stateType.equals("Task") && line.has("invocation")) {
                    JsonNode inv = line.path("invocation");
                    if (inv.has("output")) {
                        add("LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", data("output", inv.path("output")), lane, ts);
                    } else {
                        ObjectNode d = JSON.createObjectNode();
                        d.put("error", e.path("Error").asText());
                        d.put("cause", causeText(e.path("Cause")));
                        boolean timeout = e.path("Error").asText().equals("States.Timeout");
                        add(timeout ? "LambdaFunctionTimedOut" : "LambdaFunctionFailed",
                            timeout ? "lambdaFunctionTimedOutEventDetails" : "lambdaFunctionFailedEventDetails", d, lane, ts);
                    }
                } else if (stateType.equals("Map")) {
                    add("MapStateFailed", null, null, lane, ts);
                }
            }
            case "StateExited" -> {
                if (stateType.equals("Task") && line.path("invocation").has("output")) {
                    add("LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails",
                        data("output", line.path("invocation").path("output")), lane, ts);
                }
                if (stateType.equals("Map") && !failedStates.contains(key)) add("MapStateSucceeded", null, null, lane, ts);
                add(stateType + "StateExited", "stateExitedEventDetails", nameAndData(stateName, "output", state.path("output")), lane, ts);
            }
            case "MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed" -> {
                ObjectNode d = JSON.createObjectNode();
                d.put("name", e.path("parentState").path("name").asText());
                d.put("index", e.path("index").asInt());
                String detailsKey = "mapIteration" + type.substring("MapIteration".length()) + "EventDetails";
                // iteration events chain inside their own lane
                add(type, detailsKey, d, "iteration:" + e.path("index").asText(), ts);
            }
            default -> {
                // ExecutionStarted/Succeeded/Failed/... come from the emulator and the result line;
                // StateCaught has no AWS event of its own (the Task/Map exits next).
            }
        }
    }

    /**
     * How long the Wait state a runner line enters lasts (Seconds, or SecondsPath as a simple dotted path), for a
     * simulated clock; null for any other line. Timestamp waits are not used by the ASL and give null.
     */
    java.time.Duration waitEntered(JsonNode line) {
        JsonNode e = line.path("event");
        JsonNode state = e.path("state");
        if (!"StateEntered".equals(e.path("type").asText()) || !"Wait".equals(state.path("type").asText())) return null;
        JsonNode st = findState(definition.path("States"), state.path("name").asText());
        if (st == null) return null;
        if (st.path("Seconds").isNumber()) return java.time.Duration.ofSeconds(st.path("Seconds").asLong());
        String path = st.path("SecondsPath").asText("");
        if (!path.startsWith("$")) return null;
        JsonNode v = state.path("input");
        for (String part : path.substring(1).split("\\.")) {
            if (!part.isEmpty()) v = v.path(part);
        }
        return v.isNumber() ? java.time.Duration.ofMillis(Math.round(v.asDouble() * 1000)) : null;
    }

    private void lambdaScheduled(JsonNode line, String lane, long ts) {
        ObjectNode d = JSON.createObjectNode();
        d.put("resource", line.path("resource").asText());
        if (line.path("invocation").has("input")) {
            d.put("input", compact(line.path("invocation").path("input")));
            d.putObject("inputDetails").put("truncated", false);
        }
        if (line.path("timeoutSeconds").isNumber()) d.put("timeoutInSeconds", line.path("timeoutSeconds").asLong());
        add("LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", d, lane, ts);
        add("LambdaFunctionStarted", null, null, lane, ts);
    }

    /** ItemsPath length for MapStateStarted; simple dotted paths only (what the ASL uses). */
    private int mapLength(String stateName, JsonNode input) {
        JsonNode st = findState(definition.path("States"), stateName);
        JsonNode items = input;
        String path = st == null ? "$" : st.path("ItemsPath").asText("$");
        if (!path.startsWith("$")) return 0;
        for (String part : path.substring(1).split("\\.")) {
            if (!part.isEmpty()) items = items.path(part);
        }
        return items.isArray() ? items.size() : 0;
    }

    private static JsonNode findState(JsonNode states, String name) {
        if (states.has(name)) return states.get(name);
        for (JsonNode s : states) {
            JsonNode sub = s.has("ItemProcessor") ? s.path("ItemProcessor").path("States") : s.path("Iterator").path("States");
            if (!sub.isMissingNode()) {
                JsonNode found = findState(sub, name);
                if (found != null) return found;
            }
            for (JsonNode b : s.path("Branches")) {
                JsonNode found = findState(b.path("States"), name);
                if (found != null) return found;
            }
        }
        return null;
    }

    /** The runner's final line. @return false if the execution had already closed (e.g. stopped) */
    synchronized boolean onResult(JsonNode r) {
        if (!isRunning()) return false;
        String st = r.path("status").asText("FAILED");
        switch (st) {
            case "SUCCEEDED" -> {
                String out = compact(r.path("output"));
                close("SUCCEEDED", out, null, null, "ExecutionSucceeded", "executionSucceededEventDetails", data("output", r.path("output")));
            }
            case "TIMED_OUT" -> close("TIMED_OUT", null, r.path("error").asText(null), r.path("cause").asText(null),
                "ExecutionTimedOut", "executionTimedOutEventDetails", errorDetails(r.path("error").asText(null), r.path("cause").asText(null)));
            case "ABORTED" -> close("ABORTED", null, null, null, "ExecutionAborted", null, null);
            default -> {
                String err = r.path("error").asText(null);
                String cs = r.has("cause") ? causeText(r.path("cause")) : null;
                close("FAILED", null, err, cs, "ExecutionFailed", "executionFailedEventDetails", errorDetails(err, cs));
            }
        }
        return true;
    }

    /** Ends a running execution from outside (executor crash, StopExecution, emulator restart). */
    synchronized boolean closeExternally(String newStatus, String err, String cs) {
        if (!isRunning()) return false;
        String type = switch (newStatus) {
            case "ABORTED" -> "ExecutionAborted";
            case "TIMED_OUT" -> "ExecutionTimedOut";
            default -> "ExecutionFailed";
        };
        String detailsKey = Character.toLowerCase(type.charAt(0)) + type.substring(1) + "EventDetails";
        close(newStatus, null, err, cs, type, detailsKey, errorDetails(err, cs));
        return true;
    }

    private void close(String newStatus, String out, String err, String cs, String eventType, String detailsKey, ObjectNode details) {
        if (!isRunning()) return;
        status = newStatus;
        stopMillis = Math.max(System.currentTimeMillis(), startMillis);
        output = out;
        error = err;
        cause = cs;
        add(eventType, detailsKey, details, "", stopMillis);
        persistMeta();
        if (historyWriter != null) {
            try {
                historyWriter.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + historyFile, e);
            }
            historyWriter = null;
        }
    }

    private static ObjectNode errorDetails(String err, String cs) {
        ObjectNode d = JSON.createObjectNode();
        if (err != null) d.put("error", err);
        if (cs != null) d.put("cause", cs);
        return d;
    }

    private static String causeText(JsonNode cause) {
        return cause.isTextual() ? cause.asText() : compact(cause);
    }

    private static ObjectNode nameAndData(String stateName, String field, JsonNode value) {
        ObjectNode d = data(field, value);
        d.put("name", stateName);
        return d;
    }

    private static ObjectNode data(String field, JsonNode value) {
        ObjectNode d = JSON.createObjectNode();
        d.put(field, compact(value));
        d.putObject(field + "Details").put("truncated", false);
        return d;
    }

    static String compact(JsonNode value) {
        try {
            return JSON.writeValueAsString(value.isMissingNode() ? JSON.nullNode() : value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void add(String type, String detailsKey, ObjectNode details, String lane, long ts) {
        long id = events.size() + 1;
        ObjectNode ev = JSON.createObjectNode();
        ev.put("timestamp", ts / 1000.0);
        ev.put("type", type);
        ev.put("id", id);
        // previousEventId: the event before, within the same Map iteration where there is one
        Long prev = lastIdByLane.get(lane);
        if (prev == null && !events.isEmpty()) prev = events.get(events.size() - 1).path("id").asLong();
        ev.put("previousEventId", prev == null ? 0 : prev);
        if (detailsKey != null && details != null) ev.set(detailsKey, details);
        events.add(ev);
        lastIdByLane.put(lane, id);
        if (!lane.isEmpty()) lastIdByLane.put("", id);
        appendHistory(ev);
    }

    // ---- persistence ------------------------------------------------------------------------------

    private void appendHistory(ObjectNode ev) {
        if (historyFile == null) return;
        try {
            if (historyWriter == null) {
                historyWriter = Files.newBufferedWriter(historyFile, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            historyWriter.write(JSON.writeValueAsString(ev));
            historyWriter.write('\n');
            historyWriter.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + historyFile, e);
        }
    }

    private void persistMeta() {
        if (metaFile == null) return;
        ObjectNode n = describe();
        n.set("definition", definition);
        try {
            Path tmp = metaFile.resolveSibling(metaFile.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(n));
            Files.move(tmp, metaFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + metaFile, e);
        }
    }

    /** Reads an execution back from its files (emulator restart). */
    static Execution load(Path metaFile) throws IOException {
        JsonNode n = JSON.readTree(metaFile.toFile());
        Path dir = metaFile.getParent();
        Execution x = new Execution(n.path("executionArn").asText(), n.path("stateMachineArn").asText(), n.path("name").asText(),
            n.path("input").asText(), Math.round(n.path("startDate").asDouble() * 1000), n.path("definition"), dir);
        x.status = n.path("status").asText();
        if (n.has("stopDate")) x.stopMillis = Math.round(n.path("stopDate").asDouble() * 1000);
        x.output = n.path("output").asText(null);
        x.error = n.path("error").asText(null);
        x.cause = n.path("cause").asText(null);
        if (Files.exists(x.historyFile)) {
            for (String l : Files.readAllLines(x.historyFile, StandardCharsets.UTF_8)) {
                if (l.isBlank()) continue;
                ObjectNode ev = (ObjectNode) JSON.readTree(l);
                x.events.add(ev);
            }
            if (!x.events.isEmpty()) x.lastIdByLane.put("", x.events.get(x.events.size() - 1).path("id").asLong());
        }
        return x;
    }
}
