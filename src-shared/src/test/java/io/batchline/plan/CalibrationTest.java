package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.render.TokenEstimator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Calibration: the token estimator's error on a counted sample, and the seeded sample itself. */
class CalibrationTest {

    static ObjectNode params(String text) {
        ObjectNode p = RequestCheckTest.params();
        p.withArray("messages").get(0).<ObjectNode>require().put("content", text);
        return p;
    }

    @Test
    void reportsMeanAndMaxRelativeErrorAndWhichWayTheEstimateErs() {
        Calibration.Sample sample = new Calibration.Sample(2, 1);
        ObjectNode a = params("a".repeat(350));
        ObjectNode b = params("b".repeat(700));
        sample.offer(a);
        sample.offer(b);
        long ea = TokenEstimator.estimate(a);
        long eb = TokenEstimator.estimate(b);
        // GIVEN a provider that counts 10% fewer tokens for a and 20% more for b
        Map<ObjectNode, Long> counts = new HashMap<>();
        counts.put(a, Math.round(ea / 1.1));
        counts.put(b, Math.round(eb / 0.8));

        ObjectNode n = Calibration.measure(sample, counts::get, "http://sim");

        double ra = (double) (ea - counts.get(a)) / counts.get(a);
        double rb = (double) (eb - counts.get(b)) / counts.get(b);
        assertThat(n.get("sample_size").asInt()).isEqualTo(2);
        assertThat(n.get("estimated_input_tokens").asLong()).isEqualTo(ea + eb);
        assertThat(n.get("counted_input_tokens").asLong()).isEqualTo(counts.get(a) + counts.get(b));
        assertThat(n.get("mean_relative_error").asDouble()).isCloseTo((Math.abs(ra) + Math.abs(rb)) / 2, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(n.get("max_relative_error").asDouble()).isCloseTo(Math.max(Math.abs(ra), Math.abs(rb)), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(n.get("mean_signed_error").asDouble()).isCloseTo((ra + rb) / 2, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(n.get("errs").asText()).isEqualTo("both");
        assertThat(n.get("overestimated").asInt()).isEqualTo(1);
        assertThat(n.get("underestimated").asInt()).isEqualTo(1);
    }

    @Test
    void aCountThatFailsForAPassingReasonLeavesOnlyThatRequestOut() {
        Calibration.Sample sample = new Calibration.Sample(3, 1);
        ObjectNode a = params("a");
        ObjectNode b = params("b");
        ObjectNode c = params("c");
        List.of(a, b, c).forEach(sample::offer);
        io.batchline.provider.ProviderException overloaded = new io.batchline.provider.ProviderException(
                io.batchline.provider.ProviderException.Kind.OVERLOADED, 529, "overloaded_error", "busy", null, null, null);

        ObjectNode n = Calibration.measure(sample, p -> {
            if (p == b) throw overloaded;
            return 10;
        }, "http://sim");

        assertThat(n.get("measured").asBoolean()).isTrue();
        assertThat(n.get("sample_size").asInt()).isEqualTo(2);
        assertThat(n.get("count_failures").asInt()).isEqualTo(1);
        assertThat(n.get("counted_input_tokens").asLong()).isEqualTo(20);
        // a refusal (here: no key) is not passing: the caller records calibration as skipped
        io.batchline.provider.ProviderException denied = new io.batchline.provider.ProviderException(
                io.batchline.provider.ProviderException.Kind.AUTHENTICATION, 401, "authentication_error", "bad key", null, null, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Calibration.measure(sample, p -> {
            throw denied;
        }, "x")).isSameAs(denied);
    }

    @Test
    void theSampleIsSeededUniformAndBounded() {
        List<List<String>> runs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Calibration.Sample sample = new Calibration.Sample(5, 42);
            for (int i = 0; i < 1000; i++) sample.offer(params("item " + i));
            assertThat(sample.seen()).isEqualTo(1000);
            runs.add(sample.params().stream().map(p -> p.at("/messages/0/content").asText()).toList());
        }
        assertThat(runs.get(0)).hasSize(5).isEqualTo(runs.get(1));
        // a uniform reservoir over 1000 items does not keep the first five
        assertThat(runs.get(0)).isNotEqualTo(List.of("item 0", "item 1", "item 2", "item 3", "item 4"));
    }
}
