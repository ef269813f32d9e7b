package io.batchline.grade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored verdicts: one new object per session, never rewritten; the last correct/wrong verdict per line wins. */
class GradeLogTest {
    @TempDir Path dir;
    private static final String RUN = GradeTestRun.RUN;
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private static GradeRecord verdict(long line, Verdict v, String grader, Instant at) {
        return new GradeRecord(line, "T-" + line, "sample", v, v == Verdict.WRONG ? TextNode.valueOf("account") : null,
                TextNode.valueOf("billing"), grader, at);
    }

    @Test
    void theLastVerdictPerLineWinsAcrossSessionsAndSkipsDecideNothing() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        GradeLog.append(store, RUN, "ana", T0, List.of(verdict(1, Verdict.CORRECT, "ana", T0),
                verdict(3, Verdict.WRONG, "ana", T0), verdict(5, Verdict.SKIP, "ana", T0)));
        Instant t1 = T0.plusSeconds(60);
        GradeLog.append(store, RUN, "bo", t1, List.of(verdict(1, Verdict.WRONG, "bo", t1),
                verdict(3, Verdict.SKIP, "bo", t1)));

        GradeLog log = GradeLog.read(store, RUN);

        assertThat(log.sessions()).isEqualTo(2);
        assertThat(log.records()).hasSize(5);
        assertThat(log.decided()).containsOnlyKeys(1L, 3L);
        assertThat(log.decided().get(1L).verdict()).isEqualTo(Verdict.WRONG);
        assertThat(log.decided().get(1L).grader()).isEqualTo("bo");
        assertThat(log.decided().get(3L).verdict()).isEqualTo(Verdict.WRONG); // a later skip does not undo it
        assertThat(log.isDecided(5)).isFalse(); // only skipped: still to grade
        assertThat(log.graders()).containsExactly("ana", "bo");
    }

    @Test
    void sessionsAreNewObjectsAndNeverReplaceOne() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        String first = GradeLog.append(store, RUN, "ana smith", T0, List.of(verdict(1, Verdict.CORRECT, "ana smith", T0)));
        byte[] firstBytes = store.read(first);
        String second = GradeLog.append(store, RUN, "ana smith", T0, List.of(verdict(1, Verdict.WRONG, "ana smith", T0)));

        assertThat(first).isEqualTo("runs/" + RUN + "/grades/20261205T100000.000Z-ana_smith.jsonl");
        assertThat(second).isNotEqualTo(first).startsWith("runs/" + RUN + "/grades/20261205T100000.000Z-ana_smith");
        assertThat(store.read(first)).isEqualTo(firstBytes);
        assertThat(GradeLog.append(store, RUN, "ana", T0, List.of())).isNull();
        assertThat(store.list(GradeKeys.prefix(RUN))).hasSize(2);
        assertThat(GradeLog.read(store, RUN).records()).extracting(GradeRecord::grader).containsOnly("ana smith");
    }

    @Test
    void aStoredLineCarriesWhoWhenAndBothValues() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        String key = GradeLog.append(store, RUN, "ana", T0, List.of(verdict(3, Verdict.WRONG, "ana", T0)));
        assertThat(store.readString(key)).isEqualTo("{\"line\":3,\"id\":\"T-3\",\"from\":\"sample\",\"verdict\":\"wrong\","
                + "\"correct_value\":\"account\",\"model_value\":\"billing\",\"grader\":\"ana\","
                + "\"at\":\"2026-12-05T10:00:00Z\"}\n");
    }

    @Test
    void aMalformedObjectIsRefusedNamingItsKeyAndLine() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        GradeLog.append(store, RUN, "ana", T0, List.of(verdict(1, Verdict.CORRECT, "ana", T0)));
        String bad = GradeKeys.prefix(RUN) + "20261205T110000.000Z-eve.jsonl";
        String good = "{\"line\":1,\"verdict\":\"correct\",\"grader\":\"eve\",\"at\":\"2026-12-05T11:00:00Z\"}";
        for (String line : List.of("{not json", "{\"line\":1,\"verdict\":\"maybe\",\"grader\":\"eve\",\"at\":\"2026-12-05T11:00:00Z\"}",
                "{\"line\":0,\"verdict\":\"correct\",\"grader\":\"eve\",\"at\":\"2026-12-05T11:00:00Z\"}",
                "{\"line\":1,\"verdict\":\"correct\",\"at\":\"2026-12-05T11:00:00Z\"}",
                "{\"line\":1,\"verdict\":\"correct\",\"grader\":\"eve\",\"at\":\"yesterday\"}")) {
            store.put(bad, (good + "\n\n" + line + "\n").getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
            assertThatThrownBy(() -> GradeLog.read(store, RUN)).as(line).isInstanceOf(GradeFileException.class)
                    .hasMessageContaining(bad + " line 3 is not a verdict");
        }
    }

    @Test
    void theSummaryNextToTheSessionsIsNotASession() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        store.put(GradeKeys.summary(RUN), "{\"verdict\":\"passed\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(GradeLog.read(store, RUN).sessions()).isZero();
    }
}
