package io.batchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployed stack's target file ({@code --target FILE}), as {@code ./batchline deploy} writes it from the stack's
 * outputs:
 * <pre>{"region": "eu-west-1", "bucket": "...", "table": "...", "state_machine_arn": "arn:aws:states:...",
 *  "review_queue_url": "https://sqs...", "cancel_function": "arn:aws:lambda:...:live"}</pre>
 * and, for tests against emulators, {@code "endpoints": {"s3": URL, "dynamodb": URL, "sfn": URL, "sqs": URL,
 * "lambda": URL}}. Reading it checks every field and calls nothing; credentials come from the usual AWS places
 * (environment, profile, SSO), never from the file.
 */
public record TargetFile(Path file, Target.Names names, Map<String, URI> endpoints) {
    static final List<String> FIELDS = List.of("region", "bucket", "table", "state_machine_arn", "review_queue_url",
            "cancel_function");
    static final List<String> SERVICES = List.of("s3", "dynamodb", "sfn", "sqs", "lambda");

    public static TargetFile read(Path file) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            throw new UserInputException("cannot read the target file " + file + ": " + firstLine(e)
                    + " (./batchline deploy writes it; see docs/operating-in-aws.md)");
        }
        if (json == null || !json.isObject()) {
            throw new UserInputException("the target file " + file + " is not a JSON object with the fields "
                    + String.join(", ", FIELDS));
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> missing = new java.util.ArrayList<>();
        for (String field : FIELDS) {
            JsonNode v = json.get(field);
            if (v == null || !v.isTextual() || v.asText().isBlank()) missing.add(field);
            else values.put(field, v.asText().trim());
        }
        if (!missing.isEmpty()) {
            throw new UserInputException("the target file " + file + " lacks " + String.join(", ", missing)
                    + " (a text value each; it needs " + String.join(", ", FIELDS) + ")");
        }
        if (!values.get("state_machine_arn").startsWith("arn:") || !values.get("state_machine_arn")
                .contains(":stateMachine:")) {
            throw new UserInputException("the target file " + file + ": state_machine_arn is not a state machine's"
                    + " ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME): " + values.get("state_machine_arn"));
        }
        Map<String, URI> endpoints = new LinkedHashMap<>();
        JsonNode overrides = json.get("endpoints");
        if (overrides != null && !overrides.isNull()) {
            if (!overrides.isObject()) {
                throw new UserInputException("the target file " + file + ": endpoints is an object of service to URL"
                        + " (" + String.join(", ", SERVICES) + ")");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!SERVICES.contains(e.getKey())) {
                    throw new UserInputException("the target file " + file + ": endpoints." + e.getKey()
                            + " is not one of " + String.join(", ", SERVICES));
                }
                endpoints.put(e.getKey(), url(file, e.getKey(), e.getValue()));
            }
        }
        return new TargetFile(file, new Target.Names(values.get("region"), values.get("bucket"), values.get("table"),
                values.get("state_machine_arn"), values.get("review_queue_url"), values.get("cancel_function")),
                endpoints);
    }

    /** What {@code cdk deploy --outputs-file} wrote, as a target file's content: the stack's outputs, renamed. */
    public static ObjectNode fromStackOutputs(JsonNode outputsFile) {
        JsonNode outputs = null;
        for (Iterator<JsonNode> it = outputsFile.elements(); it.hasNext(); ) {
            JsonNode stack = it.next();
            if (stack.has("StateMachineArn")) outputs = stack;
        }
        if (outputs == null) {
            throw new UserInputException("the stack outputs name no StateMachineArn: is this Batchline's stack?");
        }
        ObjectNode target = Json.MAPPER.createObjectNode();
        Map<String, String> outputOf = Map.of("region", "Region", "bucket", "BucketName", "table", "TableName",
                "state_machine_arn", "StateMachineArn", "review_queue_url", "ReviewQueueUrl",
                "cancel_function", "CancelFunctionArn");
        for (String field : FIELDS) {
            JsonNode v = outputs.get(outputOf.get(field));
            if (v == null || v.asText().isBlank()) {
                throw new UserInputException("the stack outputs lack " + outputOf.get(field) + " (for " + field + ")");
            }
            target.put(field, v.asText());
        }
        return target;
    }

    /** The deployment it names; its clients are built on first use (nothing is called yet). */
    public Target open() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", names.region());
        endpoints.forEach((service, url) -> env.put("AWS_ENDPOINT_URL_" + service.toUpperCase(java.util.Locale.ROOT),
                url.toString()));
        // emulators take S3 requests by path (bucket in the path), not by host name
        if (endpoints.containsKey("s3")) env.put("BATCHLINE_S3_PATH_STYLE", "true");
        return new Target(names, env, "./batchline", "--target " + file, null,
                "CloudWatch Logs in " + names.region() + ": the log group of each of the stack's functions (the"
                        + " Step Functions console links each state of the execution to its function)",
                Target.EndedRuns.RECORDED_BY_THE_DEPLOYMENT, null);
    }

    private static URI url(Path file, String service, JsonNode value) {
        try {
            URI uri = URI.create(value.asText());
            if (uri.getScheme() != null && uri.getHost() != null) return uri;
        } catch (IllegalArgumentException bad) {
            // said below
        }
        throw new UserInputException("the target file " + file + ": endpoints." + service + " is not a URL: " + value);
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) m = "no such file";
        return m.lines().findFirst().orElse(m);
    }
}
