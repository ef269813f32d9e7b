package io.batchline.cli.operate;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.store.FileObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `local status` names the inbox objects that started no run, with the intake's reason. */
class StatusIgnoredInboxTest {

    @Test
    void statusNamesTheInboxObjectsThatStartedNoRunWithWhy(@TempDir Path dir) {
        FileObjectStore bucket = new FileObjectStore(dir);
        byte[] x = "{}\n".getBytes(StandardCharsets.UTF_8);
        bucket.put("inbox/triage/tickets.jsonl", x, "application/x-ndjson");
        bucket.put("inbox/triage/notes.txt", x, "text/plain");
        bucket.put("inbox/triage/old/tickets.jsonl", x, "application/x-ndjson");
        bucket.put("inbox/triage/TICKETS.JSONL", x, "application/x-ndjson");
        bucket.put("jobs/triage.yaml", x, "application/yaml");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StatusCommand.printIgnored(new PrintStream(bytes, true, StandardCharsets.UTF_8), bucket);
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("3 object(s) in inbox/ started no run")
                .contains("inbox/triage/notes.txt  (wrong extension")
                .contains("inbox/triage/old/tickets.jsonl  (nested folder")
                .contains("inbox/triage/TICKETS.JSONL  (wrong case")
                .doesNotContain("inbox/triage/tickets.jsonl ")
                .doesNotContain("jobs/");

        ByteArrayOutputStream none = new ByteArrayOutputStream();
        StatusCommand.printIgnored(new PrintStream(none, true, StandardCharsets.UTF_8), new FileObjectStore(dir.resolve("empty")));
        assertThat(none.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
