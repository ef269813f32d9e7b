package io.batchline.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outcome line builder: flags absent when false, the contract's field order, and Jackson reads back what it built. */
class OutcomeLineBuilderTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static OutcomeLine full() {
        return OutcomeLine.of("T-1", 7, OutcomeKind.REVIEW)
                .reason("confidence 0.8 is below accept_at 0.9: needs review")
                .output(NODES.objectNode().put("category", "billing"))
                .confidence(0.8)
                .usage(new Usage(1000, 100, 5, 7))
                .costUsd(new BigDecimal("0.00012345"))
                .attempts(2)
                .batchId("msgbatch_2")
                .customId("a2-l7")
                .repaired(true)
                .truncated(true)
                .groundTruth("billing")
                .history(NODES.arrayNode().add(NODES.objectNode().put("attempt", 1).put("result", "errored")))
                .stratum("vip")
                .chunks(3)
                .cached(true)
                .escalatedFrom(NODES.objectNode().put("tier", "haiku"))
                .build();
    }

    private static List<String> fieldNames(OutcomeLine line) {
        JsonNode tree = Json.tree(Json.bytes(line));
        List<String> names = new ArrayList<>();
        tree.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void givenOnlyTheRequiredFieldsThenEveryOtherFieldButAttemptsIsAbsent() {
        OutcomeLine line = OutcomeLine.of("T-1", 3, "accepted").build();

        assertThat(new String(Json.bytes(line), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"T-1\",\"line\":3,\"outcome\":\"accepted\",\"attempts\":0}");
    }

    @Test
    void givenFalseFlagsThenTheyAreAbsentNotFalse() {
        OutcomeLine line = OutcomeLine.of("T-1", 3, OutcomeKind.ACCEPTED)
                .repaired(false).truncated(false).cached(false).build();

        assertThat(line.repaired()).isNull();
        assertThat(line.truncated()).isNull();
        assertThat(line.cached()).isNull();
        assertThat(fieldNames(line)).containsExactly("id", "line", "outcome", "attempts");
    }

    @Test
    void givenTrueFlagsThenTheyArePresentAndTrue() {
        OutcomeLine line = OutcomeLine.of("T-1", 3, OutcomeKind.ACCEPTED)
                .repaired(true).truncated(true).cached(true).build();

        assertThat(line.repaired()).isTrue();
        assertThat(line.truncated()).isTrue();
        assertThat(line.cached()).isTrue();
        assertThat(new String(Json.bytes(line), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"T-1\",\"line\":3,"
                + "\"outcome\":\"accepted\",\"attempts\":0,\"repaired\":true,\"truncated\":true,\"cached\":true}");
    }

    @Test
    void givenEveryFieldSetThenTheyAreWrittenInTheContractsOrder() {
        assertThat(fieldNames(full())).containsExactly("id", "line", "outcome", "reason", "output", "confidence",
                "usage", "cost_usd", "attempts", "batch_id", "custom_id", "repaired", "truncated", "ground_truth",
                "history", "stratum", "chunks", "cached", "escalated_from");
    }

    @Test
    void givenAFullLineWhenWrittenAndReadBackThenItIsEqualAndWritesTheSameBytes() {
        OutcomeLine line = full();
        byte[] written = Json.bytes(line);

        OutcomeLine read = Json.read(written, OutcomeLine.class);

        assertThat(read).isEqualTo(line);
        assertThat(new String(Json.bytes(read), StandardCharsets.UTF_8))
                .isEqualTo(new String(written, StandardCharsets.UTF_8));
    }

    @Test
    void givenTheBuilderThenItSetsEachFieldItNames() {
        OutcomeLine line = full();

        assertThat(line.kind()).isEqualTo(OutcomeKind.REVIEW);
        assertThat(line.line()).isEqualTo(7);
        assertThat(line.costUsd()).isEqualByComparingTo("0.00012345");
        assertThat(line.batchId()).isEqualTo("msgbatch_2");
        assertThat(line.customId()).isEqualTo("a2-l7");
        assertThat(line.groundTruth()).isEqualTo("billing");
        assertThat(line.stratum()).isEqualTo("vip");
        assertThat(line.chunks()).isEqualTo(3);
        assertThat(line.escalatedFrom().path("tier").asText()).isEqualTo("haiku");
        assertThat(OutcomeLine.of("x", 1, "failed").free().build())
                .extracting(OutcomeLine::usage, OutcomeLine::costUsd).containsExactly(Usage.ZERO, BigDecimal.ZERO);
    }
}
