package io.batchline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetFileTest {
    private static Map<String, Object> complete() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("region", "eu-west-1");
        m.put("bucket", "batchline-123456789012-eu-west-1");
        m.put("table", "Batchline-Table");
        m.put("state_machine_arn", "arn:aws:states:eu-west-1:123456789012:stateMachine:batchline-run");
        m.put("review_queue_url", "https://sqs.eu-west-1.amazonaws.com/123456789012/review");
        m.put("cancel_function", "arn:aws:lambda:eu-west-1:123456789012:function:batchline-cancel:live");
        return m;
    }

    private static Path write(Path dir, Object content) throws Exception {
        Path file = dir.resolve("target.json");
        Files.write(file, content instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : Json.bytes(content));
        return file;
    }

    private static Target open(Path file) throws Exception {
        return Target.of(file, null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void aCompleteFileNamesTheDeploymentAndItsCommands(@TempDir Path dir) throws Exception {
        Path file = write(dir, complete());
        try (Target target = open(file)) {
            assertThat(target.names()).isEqualTo(new Target.Names("eu-west-1", "batchline-123456789012-eu-west-1",
                    "Batchline-Table", "arn:aws:states:eu-west-1:123456789012:stateMachine:batchline-run",
                    "https://sqs.eu-west-1.amazonaws.com/123456789012/review",
                    "arn:aws:lambda:eu-west-1:123456789012:function:batchline-cancel:live"));
            assertThat(target.executionArn("r1"))
                    .isEqualTo("arn:aws:states:eu-west-1:123456789012:execution:batchline-run:r1");
            assertThat(target.command("history r1")).isEqualTo("./batchline history r1 --target " + file);
            assertThat(target.named()).isTrue();
        }
    }

    @Test
    void aMissingFieldIsNamedAndNothingIsCalled(@TempDir Path dir) throws Exception {
        Map<String, Object> m = complete();
        m.remove("table");
        m.put("review_queue_url", " ");
        assertThatThrownBy(() -> open(write(dir, m))).isInstanceOf(UserInputException.class)
                .hasMessageContaining("lacks table, review_queue_url");
    }

    @Test
    void unreadableJsonOrNoFileIsAClearError(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> open(write(dir, "{\"region\": \"eu-west-1\",")))
                .isInstanceOf(UserInputException.class).hasMessageContaining("cannot read the target file")
                .hasMessageContaining("./batchline deploy writes it");
        assertThatThrownBy(() -> open(write(dir, "[1, 2]"))).isInstanceOf(UserInputException.class)
                .hasMessageContaining("is not a JSON object");
        assertThatThrownBy(() -> open(dir.resolve("absent.json"))).isInstanceOf(UserInputException.class)
                .hasMessageContaining("cannot read the target file").hasMessageContaining("no such file");
    }

    @Test
    void aWrongArnOrEndpointIsNamed(@TempDir Path dir) throws Exception {
        Map<String, Object> m = complete();
        m.put("state_machine_arn", "batchline-run");
        assertThatThrownBy(() -> open(write(dir, m))).isInstanceOf(UserInputException.class)
                .hasMessageContaining("state_machine_arn is not a state machine's ARN");
        Map<String, Object> e = complete();
        e.put("endpoints", Map.of("s3", "not a url"));
        assertThatThrownBy(() -> open(write(dir, e))).hasMessageContaining("endpoints.s3 is not a URL");
        e.put("endpoints", Map.of("ec2", "http://localhost:1"));
        assertThatThrownBy(() -> open(write(dir, e))).hasMessageContaining("endpoints.ec2 is not one of");
    }

    @Test
    void openingATargetCallsNothing(@TempDir Path dir) throws Exception {
        try (ServerSocket emulator = new ServerSocket(0)) {
            String url = "http://127.0.0.1:" + emulator.getLocalPort();
            Map<String, Object> m = complete();
            m.put("endpoints", Map.of("s3", url, "dynamodb", url, "sfn", url, "sqs", url, "lambda", url));
            try (Target target = open(write(dir, m))) {
                assertThat(target.s3()).isNotNull();
            }
            emulator.setSoTimeout(300);
            assertThatThrownBy(emulator::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void theStackOutputsBecomeATargetFile(@TempDir Path dir) throws Exception {
        Map<String, Object> c = complete();
        Map<String, Object> outputs = new LinkedHashMap<>(Map.of("Region", c.get("region"), "BucketName",
                c.get("bucket"), "TableName", c.get("table"), "StateMachineArn", c.get("state_machine_arn"),
                "ReviewQueueUrl", c.get("review_queue_url"), "CancelFunctionArn", c.get("cancel_function")));
        outputs.put("DashboardUrl", "https://console.aws.amazon.com/cloudwatch");
        Path file = write(dir, TargetFile.fromStackOutputs(Json.MAPPER.valueToTree(Map.of("Batchline", outputs))));
        try (Target target = open(file)) {
            assertThat(target.names().region()).isEqualTo("eu-west-1");
        }
        assertThat(Json.tree(Files.readAllBytes(file))).isEqualTo(Json.MAPPER.valueToTree(complete()));

        outputs.remove("Region");
        assertThatThrownBy(() -> TargetFile.fromStackOutputs(Json.MAPPER.valueToTree(Map.of("Batchline", outputs))))
                .hasMessageContaining("lack Region");
    }
}
