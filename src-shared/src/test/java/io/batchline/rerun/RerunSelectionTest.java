package io.batchline.rerun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which items a rerun takes, from a run's outcome files and grades. */
class RerunSelectionTest {
    @TempDir Path tmp;

    @Test
    void onlyNamesTiersAndEveryUnknownValueIsNamedWithTheAllowedOnes() {
        assertThat(RerunSelection.parse(null)).containsExactlyInAnyOrder(RerunSelection.Tier.REJECTED,
                RerunSelection.Tier.REVIEW);
        assertThat(RerunSelection.parse("graded-wrong, Rejected")).containsExactlyInAnyOrder(
                RerunSelection.Tier.GRADED_WRONG, RerunSelection.Tier.REJECTED);
        assertThatThrownBy(() -> RerunSelection.parse("rejected,wrong,,revew"))
                .hasMessage("unknown --only values 'wrong', '', 'revew': allowed are accepted,review,rejected,failed,"
                        + "graded-wrong (comma-separated)");
        assertThat(RerunSelection.labels(EnumSet.of(RerunSelection.Tier.GRADED_WRONG, RerunSelection.Tier.REVIEW)))
                .isEqualTo("review,graded-wrong");
    }

    private void put(FileObjectStore store, String key, String... lines) {
        store.put(key, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    @Test
    void theSelectedTiersLinesFailedOnlyWhenSentAndGradedWrongByTheLatestVerdict() {
        FileObjectStore store = new FileObjectStore(tmp);
        String run = "job-abc";
        put(store, RunKeys.outcome(run, OutcomeKind.ACCEPTED), "{\"id\":\"a\",\"line\":1,\"outcome\":\"accepted\"}",
                "{\"id\":\"g\",\"line\":7,\"outcome\":\"accepted\"}", "{\"id\":\"h\",\"line\":8,\"outcome\":\"accepted\"}");
        put(store, RunKeys.outcome(run, OutcomeKind.REVIEW), "{\"id\":\"b\",\"line\":2,\"outcome\":\"review\",\"reason\":\"r\"}");
        put(store, RunKeys.outcome(run, OutcomeKind.REJECTED), "{\"id\":\"c\",\"line\":3,\"outcome\":\"rejected\",\"reason\":\"r\"}");
        put(store, RunKeys.outcome(run, OutcomeKind.FAILED),
                "{\"line\":4,\"outcome\":\"failed\",\"reason\":\"malformed JSON at column 3\",\"attempts\":0}",
                "{\"id\":\"e\",\"line\":5,\"outcome\":\"failed\",\"reason\":\"provider rejected: x\",\"attempts\":1,"
                        + "\"batch_id\":\"msgbatch_1\"}",
                "{\"id\":\"f\",\"line\":6,\"outcome\":\"failed\",\"reason\":\"canary_failed: pass rate 0.5\",\"attempts\":0}",
                "{\"id\":\"i\",\"line\":9,\"outcome\":\"failed\",\"reason\":\"canceled: by an operator\",\"attempts\":0}");
        var grades = List.of(
                new io.batchline.grade.GradeRecord(7, "g", "sample", io.batchline.grade.Verdict.WRONG, null, null, "ana",
                        Instant.parse("2026-12-06T10:00:00Z")),
                new io.batchline.grade.GradeRecord(8, "h", "sample", io.batchline.grade.Verdict.WRONG, null, null, "ana",
                        Instant.parse("2026-12-06T10:00:01Z")),
                new io.batchline.grade.GradeRecord(8, "h", "sample", io.batchline.grade.Verdict.CORRECT, null, null, "bo",
                        Instant.parse("2026-12-06T11:00:00Z")));
        io.batchline.grade.GradeLog.append(store, run, "ana", Instant.parse("2026-12-06T10:00:00Z"), grades);

        assertThat(RerunSelection.select(store, run, RerunSelection.DEFAULT).stream()).containsExactly(2, 3);
        assertThat(RerunSelection.select(store, run, EnumSet.of(RerunSelection.Tier.FAILED)).stream())
                .as("not the unreadable line 4").containsExactly(5, 6, 9);
        assertThat(RerunSelection.select(store, run, EnumSet.of(RerunSelection.Tier.GRADED_WRONG)).stream())
                .as("line 8's latest verdict is correct").containsExactly(7);
        assertThat(RerunSelection.select(store, run, EnumSet.allOf(RerunSelection.Tier.class)).stream())
                .containsExactly(1, 2, 3, 5, 6, 7, 8, 9);
    }
}
