package io.batchline.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * Synthesizes the deployment into infra/cdk.out (a cloud assembly `cdk deploy --app infra/cdk.out` deploys).
 * Arguments: key=value context settings (see {@link StackSettings}); cdk-nag's AwsSolutions checks run on every
 * synth, and an unsuppressed error fails it.
 */
public final class BatchlineApp {
    private BatchlineApp() {}

    public static void main(String[] args) {
        Path root = StackSettings.findRepoRoot();
        Map<String, Object> context = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
            context.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Path out = root.resolve("infra/cdk.out");
        CloudAssembly assembly = synth(root, context, out);
        System.out.println("batchline: synthesized " + assembly.getStacks().size() + " stack(s) into " + out);
    }

    public static CloudAssembly synth(Path root, Map<String, Object> context, Path outDir) {
        App app = new App(AppProps.builder().outdir(outDir.toString()).context(context).build());
        BatchlineStack stack = build(app, root);
        CloudAssembly assembly = app.synth();
        NagReport.failOnErrors(stack);
        return assembly;
    }

    /** The stack with the nag checks attached; synth runs them. */
    public static BatchlineStack build(App app, Path root) {
        StackSettings settings = StackSettings.fromContext(k -> app.getNode().tryGetContext(k), root);
        if (!settings.functionZip().toFile().isFile()) {
            throw new IllegalStateException("no function artifact at " + settings.functionZip()
                    + ": build it first (./mvnw -B -DskipTests package)");
        }
        BatchlineStack stack = new BatchlineStack(app, camel(settings.name()),
                StackProps.builder().description("Batchline: LLM batch jobs through Anthropic's Message Batches API")
                        .build(), settings);
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        return stack;
    }

    private static String camel(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.toString();
    }
}
