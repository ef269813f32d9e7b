package io.batchline.infra;

import java.util.List;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/** cdk-nag reports findings as construct annotations: errors are findings nobody suppressed with a reason. */
public final class NagReport {
    private NagReport() {}

    public static List<SynthesisMessage> errors(Stack stack) {
        return Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
    }

    public static void failOnErrors(Stack stack) {
        List<SynthesisMessage> errors = errors(stack);
        if (errors.isEmpty()) return;
        StringBuilder sb = new StringBuilder("cdk-nag AwsSolutions: " + errors.size() + " unsuppressed finding(s):");
        for (SynthesisMessage m : errors) sb.append("\n  ").append(m.getId()).append(": ").append(m.getEntry().getData());
        throw new IllegalStateException(sb.toString());
    }
}
