package io.batchline.cli.operate;

import io.batchline.cli.Args;
import io.batchline.cli.Target;
import io.batchline.cli.UsageException;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.rerun.RerunSelection;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The operator's commands on a {@link Target}: {@code status}, {@code history}, {@code cancel}, {@code resume},
 * {@code review}, {@code grade}, {@code compare} and {@code rerun}. With {@code --target FILE} they talk to a
 * deployed stack through the AWS SDK alone, so they live with the command line and run from its jar; with
 * {@code --state DIR} (or neither) {@link Target#of} finds the offline stack, when its module is on the classpath.
 * The offline stack's module forwards its {@code local status|history|cancel|resume|review} spellings here
 * ({@link #runLocal}).
 */
public final class OperatorCommands {
    /** The first words of the operator's command lines. */
    public static final Set<String> COMMANDS = Set.of("status", "history", "cancel", "resume", "review", "grade",
            "compare", "rerun");
    /** The ones also spelled {@code local <command>}: on the offline stack only, so they take {@code --state DIR}. */
    public static final Set<String> LOCAL_COMMANDS = Set.of("status", "history", "cancel", "resume", "review");

    private OperatorCommands() {}

    /**
     * Runs one command line whose args[0] is one of {@link #COMMANDS}, on the target of {@code --target FILE} or
     * {@code --state DIR}. Exit codes as the command line's.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return run(args, 1, List.of("--target", "--state"), out, err);
    }

    /** Runs {@code local <command> ...} (args[1] one of {@link #LOCAL_COMMANDS}) on the offline stack. */
    public static int runLocal(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (!LOCAL_COMMANDS.contains(args[1])) throw new UsageException("unknown command: local " + args[1]);
        return run(args, 2, List.of("--state"), out, err);
    }

    /**
     * The command named by the words before {@code args[from]}, with its operands and options from there on;
     * {@code targetOptions} are the options that may name its target.
     */
    private static int run(String[] args, int from, List<String> targetOptions, PrintStream out, PrintStream err)
            throws Exception {
        String name = String.join(" ", List.of(args).subList(0, from));
        String command = args[from - 1];
        List<String> words = new ArrayList<>(List.of(args));
        boolean review = command.equals("grade") && words.remove("--review");
        List<String> options = new ArrayList<>(targetOptions);
        switch (command) {
            case "review" -> options.addAll(List.of("--run", "--job", "--max"));
            case "resume" -> options.add("--timeout");
            case "grade" -> options.addAll(List.of("--verdicts", "--grader"));
            case "compare" -> options.add("--out");
            case "rerun" -> options.addAll(List.of("--job", "--only", "--out", "--timeout"));
            case "status", "history", "cancel" -> { }
            default -> throw new UsageException("unknown command: " + name);
        }
        Args a = Args.parse(words.toArray(String[]::new), from, options);
        checkOperands(command, name, a);
        int max = Integer.parseInt(a.options.getOrDefault("--max", "100"));
        int timeoutMinutes = Integer.parseInt(a.options.getOrDefault("--timeout", "120"));
        String grader = a.options.getOrDefault("--grader", System.getProperty("user.name", "grader"));
        if (command.equals("grade") && grader.isBlank()) throw new UsageException("--grader needs a name");
        if (a.options.containsKey("--target") && a.options.containsKey("--state")) {
            throw new UsageException(name + " takes --target FILE (a deployed stack) or --state DIR (the offline"
                    + " stack), not both");
        }
        if (command.equals("rerun")) { // its job file is read and checked before the target is opened
            Set<RerunSelection.Tier> only;
            try {
                only = RerunSelection.parse(a.options.get("--only"));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return new RerunCommand(out, err, Clock.systemUTC(), config()).run(new RerunCommand.Options(
                    a.inputs.get(0), a.required("--job"), only, a.path("--out", null), timeoutMinutes),
                    () -> openTarget(a, out));
        }
        try (Target target = openTarget(a, out)) {
            return switch (command) {
                case "status" -> new StatusCommand(out).run(a.inputs.isEmpty() ? null : a.inputs.get(0), target);
                case "cancel" -> new CancelCommand(out, err).run(a.inputs.get(0), target);
                case "history" -> new HistoryCommand(out).run(a.inputs.get(0), target);
                case "review" -> new ReviewCommand(out).run(a.options.get("--run"), a.options.get("--job"), target,
                        max);
                case "resume" -> new ResumeCommand(out, err).run(a.inputs.get(0), target, timeoutMinutes);
                case "grade" -> new GradeCommand(out, new InputStreamReader(System.in, Charset.defaultCharset()),
                        Clock.systemUTC(), Path.of("batchline-out"), config())
                        .run(new GradeCommand.Options(a.inputs.get(0), review, a.path("--verdicts", null), grader),
                                target);
                default -> new CompareCommand(out, config()).run(a.inputs.get(0), a.inputs.get(1),
                        a.path("--out", null), target);
            };
        }
    }

    /** The run ids (or none) the command takes, checked before its target is opened (which may start a stack). */
    private static void checkOperands(String command, String name, Args a) {
        switch (command) {
            case "status" -> {
                if (a.inputs.size() > 1) throw new UsageException(name + " takes at most one RUN_ID");
            }
            case "cancel" -> {
                if (a.inputs.size() != 1) {
                    throw new UsageException(name + " takes one RUN_ID (`./batchline " + name.replace("cancel",
                            "status") + "` lists the runs)");
                }
            }
            case "history" -> {
                if (a.inputs.size() != 1) throw new UsageException(name + " takes one RUN_ID");
            }
            case "review" -> {
                if (!a.inputs.isEmpty()) throw new UsageException(name + " takes no input file");
            }
            case "resume", "grade", "rerun" -> {
                if (a.inputs.size() != 1) {
                    throw new UsageException(name + " takes one RUN_ID (`" + statusCommand(a) + "` lists the runs)");
                }
            }
            default -> { // compare
                if (a.inputs.size() != 2) {
                    throw new UsageException("compare takes two run ids, RUN_A RUN_B (`" + statusCommand(a)
                            + "` lists the runs)");
                }
            }
        }
    }

    /** This process's configuration, parsed from its environment when a command needs it. */
    private static PipelineConfig config() {
        return PipelineConfig.fromEnv(System.getenv());
    }

    /** The target the options name: the deployed stack of --target FILE, else the offline stack of --state DIR. */
    private static Target openTarget(Args a, PrintStream out) throws Exception {
        return Target.of(a.path("--target", null), a.path("--state", null), out);
    }

    /** How the user lists the runs of the target the options name. */
    private static String statusCommand(Args a) {
        return a.options.containsKey("--target") ? "./batchline status --target " + a.options.get("--target")
                : "./batchline local status";
    }
}
