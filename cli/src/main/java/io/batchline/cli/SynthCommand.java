package io.batchline.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./batchline synth [-c key=value]...}: the CloudFormation templates into infra/cdk.out/. Runs the infra
 * module's app (io.batchline.infra.BatchlineApp) from its built jars in a JVM of its own: the CDK's jars stay off
 * the offline stack's classpath.
 */
final class SynthCommand {
    private final PrintStream out;
    private final Processes processes;

    SynthCommand(PrintStream out, Processes processes) {
        this.out = out;
        this.processes = processes;
    }

    /** Runs a child process with inherited output; the seam tests replace. */
    interface Processes {
        int run(List<String> command, Path dir, Map<String, String> extraEnv) throws IOException, InterruptedException;

        static Processes inherit() {
            return (command, dir, extraEnv) -> {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).inheritIO();
                pb.environment().putAll(extraEnv);
                return pb.start().waitFor();
            };
        }
    }

    /** `-c key=value` pairs (as the CDK CLI takes them) -> the app's key=value arguments. */
    static List<String> context(String[] args, int from) {
        List<String> context = new ArrayList<>();
        for (int i = from; i < args.length; i++) {
            if (!args[i].equals("-c") && !args[i].equals("--context")) {
                throw new UsageException("synth takes only -c key=value settings, got " + args[i]);
            }
            if (++i >= args.length) throw new UsageException("-c needs key=value");
            context.add(contextValue(args[i]));
        }
        return context;
    }

    static String contextValue(String kv) {
        if (kv.indexOf('=') <= 0) throw new UsageException("-c needs key=value, got " + kv);
        return kv;
    }

    int run(Path home, List<String> context) throws Exception {
        Path infra = home.resolve("infra/target");
        Path jar = infra.resolve("batchline-infra.jar");
        if (!Files.isRegularFile(jar)) {
            throw new UserInputException("no infra build at " + jar + ": run ./mvnw -B -DskipTests package");
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbatchline.home=" + home,
                "-cp", jar + java.io.File.pathSeparator + infra.resolve("lib") + java.io.File.separator + "*",
                "io.batchline.infra.BatchlineApp"));
        cmd.addAll(context);
        // jsii drives the CDK through Node; Node 20 works but prints an end-of-life banner (build-notes.md)
        int code = processes.run(cmd, home, Map.of("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20"));
        if (code == 0) {
            out.println("batchline: CloudFormation templates in " + home.resolve("infra/cdk.out")
                    + " (deploy with ./batchline deploy)");
        }
        return code == 0 ? 0 : 1;
    }
}
