package io.batchline.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

/**
 * {@code ./batchline deploy}: synthesizes, then runs the project's CDK CLI (infra/package-lock.json, installed
 * with npm ci on first use) on the cloud assembly: {@code cdk deploy --app infra/cdk.out}.
 */
final class DeployCommand {
    static final String CDK = "infra/node_modules/.bin/cdk";
    /** Where {@code cdk deploy --outputs-file} writes the stack's outputs. */
    static final String STACK_OUTPUTS = "infra/cdk-outputs.json";
    /** The operator commands' target file, made from the stack's outputs (see {@link TargetFile}). */
    static final String TARGET_FILE = "batchline-target.json";
    private final PrintStream out;
    private final SynthCommand.Processes processes;
    /** (profile, region) -> null when credentials resolve, else why not. */
    private final BiFunction<String, String, String> credentialsProblem;

    DeployCommand(PrintStream out, SynthCommand.Processes processes, BiFunction<String, String, String> credentialsProblem) {
        this.out = out;
        this.processes = processes;
        this.credentialsProblem = credentialsProblem;
    }

    static DeployCommand real(PrintStream out) {
        return new DeployCommand(out, SynthCommand.Processes.inherit(), DeployCommand::sdkCredentialsProblem);
    }

    /** What `./batchline deploy` was given: --profile, --region, --require-approval, --bootstrap, -c key=value. */
    record Options(String profile, String region, String requireApproval, boolean bootstrap, List<String> context) {
        static Options parse(String[] args, int from) {
            String profile = null, region = null, approval = null;
            boolean bootstrap = false;
            List<String> context = new ArrayList<>();
            for (int i = from; i < args.length; i++) {
                switch (args[i]) {
                    case "--profile" -> profile = value(args, ++i, "--profile");
                    case "--region" -> region = value(args, ++i, "--region");
                    case "--require-approval" -> {
                        approval = value(args, ++i, "--require-approval");
                        if (!List.of("never", "any-change", "broadening").contains(approval)) {
                            throw new UsageException("--require-approval is never, any-change or broadening");
                        }
                    }
                    case "--bootstrap" -> bootstrap = true;
                    case "-c", "--context" -> context.add(SynthCommand.contextValue(value(args, ++i, args[i - 1])));
                    default -> throw new UsageException("unknown option for deploy: " + args[i]);
                }
            }
            return new Options(profile, region, approval, bootstrap, context);
        }

        private static String value(String[] args, int i, String name) {
            if (i >= args.length) throw new UsageException(name + " needs a value");
            return args[i];
        }
    }

    int run(Path home, Options o) throws Exception {
        String profile = o.profile(), region = o.region(), requireApproval = o.requireApproval();
        boolean bootstrap = o.bootstrap();
        List<String> context = o.context();
        // before anything slow: without credentials the CDK CLI would fail late and less clearly
        String problem = credentialsProblem.apply(profile, region);
        if (problem != null) {
            throw new UserInputException("no AWS credentials" + (profile == null ? "" : " for profile " + profile)
                    + ": " + problem + "\n  configure them (aws configure, aws sso login, or AWS_ACCESS_KEY_ID/"
                    + "AWS_SECRET_ACCESS_KEY) and run ./batchline deploy again");
        }
        int synth = new SynthCommand(out, processes).run(home, context);
        if (synth != 0) return synth;

        if (!Files.isRegularFile(home.resolve(CDK))) {
            out.println("batchline: installing the CDK CLI from infra/package-lock.json (npm ci)...");
            int npm = processes.run(List.of("npm", "ci", "--no-audit", "--no-fund"), home.resolve("infra"), Map.of());
            if (npm != 0) return 1;
        }
        Map<String, String> env = new HashMap<>();
        env.put("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        if (region != null) {
            // the CDK CLI has no --region: it takes the region from the environment or the profile
            env.put("AWS_REGION", region);
            env.put("AWS_DEFAULT_REGION", region);
        }
        List<String> common = new ArrayList<>(List.of("--app", "infra/cdk.out"));
        if (profile != null) common.addAll(List.of("--profile", profile));
        if (bootstrap) {
            List<String> cmd = new ArrayList<>(List.of(home.resolve(CDK).toString(), "bootstrap"));
            cmd.addAll(common);
            int code = processes.run(cmd, home, env);
            if (code != 0) return 1;
        }
        List<String> cmd = new ArrayList<>(List.of(home.resolve(CDK).toString(), "deploy", "--all"));
        cmd.addAll(common);
        cmd.addAll(List.of("--require-approval", requireApproval == null ? "broadening" : requireApproval));
        cmd.addAll(List.of("--outputs-file", STACK_OUTPUTS));
        if (processes.run(cmd, home, env) != 0) return 1;
        writeTargetFile(home);
        return 0;
    }

    /** Turns the stack's outputs into the target file; the deploy itself has succeeded, so a problem is told only. */
    private void writeTargetFile(Path home) {
        Path outputs = home.resolve(STACK_OUTPUTS);
        Path target = home.resolve(TARGET_FILE);
        try {
            byte[] json = io.batchline.json.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                    TargetFile.fromStackOutputs(io.batchline.json.Json.MAPPER.readTree(Files.readAllBytes(outputs))));
            Files.write(target, json);
        } catch (java.io.IOException | RuntimeException e) {
            out.println("batchline: deployed, but no target file was written from " + outputs + ": " + e.getMessage()
                    + "\n  write " + TARGET_FILE + " yourself from the stack's outputs (docs/operating-in-aws.md,"
                    + " Operating from the command line)");
            return;
        }
        out.println("batchline: the stack's target file is " + target + "; follow and steer its runs with"
                + " ./batchline status --target " + target + " (also history, cancel, review)");
    }

    static String sdkCredentialsProblem(String profile, String region) {
        try (var provider = profile != null ? ProfileCredentialsProvider.create(profile)
                : DefaultCredentialsProvider.builder().build()) {
            provider.resolveCredentials();
            return null;
        } catch (RuntimeException e) {
            String m = e.getMessage();
            if (m == null) return e.getClass().getSimpleName();
            // the SDK appends every provider it tried; the first sentence says what matters
            int chain = m.indexOf(" AwsCredentialsProviderChain(");
            return chain > 0 ? m.substring(0, chain) : m.lines().findFirst().orElse(m);
        }
    }
}
