package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.catalogue.ModelEntry;
import io.batchline.input.InputItem;
import io.batchline.input.InputReader;
import io.batchline.input.InputVisitor;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecException;
import io.batchline.job.JobSpecLoader;
import io.batchline.render.PromptRenderer;
import io.batchline.render.RenderException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Batchline's own requests never trip a rule of the provider: every job variant the loader and renderer accept
 * renders, for every served model and both API versions, params the simulator's rules accept; and where the
 * simulator would refuse what a variant asks for (a temperature, thinking off on a model that always thinks),
 * Batchline refuses the job first, before anything is spent.
 */
class RenderedRequestsFollowModelRulesTest {

    private static final ModelCatalogue CATALOGUE = ModelCatalogue.bundled();
    private static final LocalDate TODAY = LocalDate.parse("2026-12-06");
    private static final List<String> VERSIONS = List.of(ModelCatalogue.API_VERSION_2023, ModelCatalogue.API_VERSION_2026);

    /** Settings a user may add to the sample job, each alone. */
    private static final List<String> VARIANTS = List.of("", "temperature: 0\n", "temperature: 1\n", "thinking: off\n",
            "thinking: adaptive\n", "thinking: enabled\nthinking_budget_tokens: 1500\n", "structured_output: off\n",
            "structured_output: on\n", "effort: low\n", "effort: medium\n", "effort: high\n", "effort: xhigh\n",
            "effort: max\n", "effort: max\nthinking: off\n");

    @Test
    void everyAcceptedJobRendersRequestsEveryServedModelAccepts() throws IOException {
        String sample = Files.readString(Path.of("../samples/ticket-triage/job.yaml"));
        InputItem ticket = firstTicket();
        int rendered = 0;
        int refusedByBatchline = 0;
        List<String> slipped = new ArrayList<>();
        for (String model : CATALOGUE.servedIds(TODAY)) {
            ModelEntry entry = CATALOGUE.find(model).orElseThrow();
            for (String variant : VARIANTS) {
                String yaml = sample.replace("model: claude-haiku-5-5", "model: " + model) + variant;
                JobSpec job;
                try {
                    job = JobSpecLoader.load(yaml.getBytes(StandardCharsets.UTF_8), TODAY,
                            ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
                } catch (JobSpecException e) {
                    refusedByBatchline++;
                    // what Batchline refuses, the provider refuses too (or the model cannot honour the setting)
                    assertThat(e.getMessage()).as(model + " " + variant).containsAnyOf("temperature", "thinking",
                            "effort", "structured_output", "max_tokens");
                    continue;
                }
                for (String version : VERSIONS) {
                    ObjectNode params;
                    try {
                        params = new PromptRenderer(job, CATALOGUE, version).params(ticket);
                    } catch (RenderException e) {
                        refusedByBatchline++;
                        assertThat(e.getMessage()).as(model + " " + variant + " " + version).contains("temperature");
                        continue;
                    }
                    rendered++;
                    String problem = SimRequestRules.problem(CATALOGUE, params, version, Set.of(), TODAY);
                    if (problem != null) slipped.add(model + " / " + version + " / " + variant.strip() + ": " + problem);
                    // a stratum's requests follow the same rules
                    for (JobSpec.Stratum s : job.strata() == null ? List.<JobSpec.Stratum>of() : job.strata()) {
                        ObjectNode stratum = new PromptRenderer(job, CATALOGUE, version).params(ticket.fields(), s);
                        String p = SimRequestRules.problem(CATALOGUE, stratum, version, Set.of(), TODAY);
                        if (p != null) slipped.add(model + " / " + s.name() + " / " + variant.strip() + ": " + p);
                    }
                    if (entry.sampling() == ModelEntry.Sampling.REFUSED || version.equals(ModelCatalogue.API_VERSION_2026)) {
                        assertThat(params.has("temperature")).as(model + " " + version).isFalse();
                    } else if (entry.sampling() == ModelEntry.Sampling.NON_DEFAULT_REFUSED) {
                        assertThat(params.path("temperature").asDouble(1.0)).as(model + " " + version).isEqualTo(1.0);
                    }
                }
            }
        }
        assertThat(slipped).isEmpty();
        // the sweep covered real work on both sides
        assertThat(rendered).isGreaterThan(200);
        assertThat(refusedByBatchline).isGreaterThan(20);
    }

    @Test
    void theSamplesRequestsToEveryServedModelPassAsRendered() throws IOException {
        String sample = Files.readString(Path.of("../samples/ticket-triage/job.yaml"));
        for (String model : CATALOGUE.servedIds(TODAY)) {
            JobSpec job = JobSpecLoader.load(sample.replace("model: claude-haiku-5-5", "model: " + model)
                    .getBytes(StandardCharsets.UTF_8), TODAY,
                            ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
            ObjectNode params = new PromptRenderer(job, CATALOGUE, ModelCatalogue.API_VERSION_2023).params(firstTicket());
            assertThat(SimRequestRules.problem(CATALOGUE, params, ModelCatalogue.API_VERSION_2023, Set.of(), TODAY))
                    .as(model).isNull();
            ModelEntry entry = CATALOGUE.find(model).orElseThrow();
            // thinking off where the model can turn it off, else its reserve on top of the answer's 300 tokens
            boolean thinks = !entry.thinking().canTurnOff(entry.effort() == null ? null : entry.effort().lowest());
            assertThat(params.path("max_tokens").asInt()).as(model).isEqualTo(thinks ? 300 + 2048 : 300);
            if (entry.effort() != null) {
                assertThat(params.at("/output_config/effort").asText()).as(model).isEqualTo(entry.effort().lowest());
            }
            assertThat(params.at("/output_config/format/type").asText()).as(model)
                    .isEqualTo(entry.structuredOutputs() ? "json_schema" : "");
        }
    }

    private static InputItem firstTicket() throws IOException {
        byte[] line = Files.readAllLines(Path.of("../samples/ticket-triage/tickets.jsonl")).get(0)
                .getBytes(StandardCharsets.UTF_8);
        List<InputItem> items = new ArrayList<>();
        new InputReader("t.jsonl", "id", 1 << 20).read(new ByteArrayInputStream(line), new InputVisitor() {
            @Override
            public void item(InputItem item) {
                items.add(item);
            }

            @Override
            public void error(io.batchline.input.InputError error) {
                throw new AssertionError(error.reason());
            }
        });
        return items.get(0);
    }
}
