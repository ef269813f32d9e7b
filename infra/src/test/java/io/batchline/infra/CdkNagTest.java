package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/** cdk-nag's AwsSolutions pack: no unsuppressed error, and every suppression says why. */
class CdkNagTest {
    private final Synth.Result synth = Synth.defaults();

    @Test
    void noUnsuppressedAwsSolutionsError() {
        List<SynthesisMessage> errors = NagReport.errors(synth.stack());
        assertThat(errors).extracting(m -> m.getId() + ": " + m.getEntry().getData()).isEmpty();
    }

    @Test
    void theChecksRanAndEverySuppressionHasAReason() {
        // cdk-nag records suppressions in each resource's metadata; none without a reason of some substance
        int suppressions = 0;
        for (var resource : synth.template().toJSON().get("Resources") instanceof Map<?, ?> m ? m.values() : List.of()) {
            Object metadata = ((Map<?, ?>) resource).get("Metadata");
            if (!(metadata instanceof Map<?, ?> md) || !(md.get("cdk_nag") instanceof Map<?, ?> nag)) continue;
            for (Object rule : (List<?>) nag.get("rules_to_suppress")) {
                Map<?, ?> r = (Map<?, ?>) rule;
                assertThat(String.valueOf(r.get("reason"))).as(String.valueOf(r.get("id"))).hasSizeGreaterThan(40);
                suppressions++;
            }
        }
        assertThat(suppressions).isPositive();
    }

    @Test
    void theChecksRunOnTheStack() {
        // the same stack plus one queue nobody vetted: nag must name it, so a silent nag pass above means something
        software.amazon.awscdk.App app = new software.amazon.awscdk.App(software.amazon.awscdk.AppProps.builder()
                .context(Map.of("functionZip", Synth.standInZip().toString())).build());
        BatchlineStack stack = BatchlineApp.build(app, Synth.ROOT);
        new software.amazon.awscdk.services.sqs.Queue(stack, "Unvetted");
        app.synth();
        assertThat(NagReport.errors(stack)).extracting(m -> m.getId() + " " + m.getEntry().getData())
                .anySatisfy(e -> assertThat(e).contains("Unvetted").contains("AwsSolutions-SQS3"));
    }
}
