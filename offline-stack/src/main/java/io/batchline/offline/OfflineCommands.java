package io.batchline.offline;

import io.batchline.cli.Args;
import io.batchline.cli.CommandSet;
import io.batchline.cli.Target;
import io.batchline.cli.UsageException;
import io.batchline.pipeline.PipelineConfig;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The commands that need the offline stack or its records: {@code local ...} and {@code rerun}; and the
 * operator's {@code status}, {@code history}, {@code cancel}, {@code review}, {@code grade} and {@code compare} on a
 * deployed stack ({@code --target FILE}) or the offline one ({@code --state DIR}). Added to the command line
 * through {@code META-INF/services/io.batchline.cli.CommandSet}.
 */
public final class OfflineCommands implements CommandSet {
    @Override
    public Set<String> commands() {
        return Set.of("local", "grade", "rerun", "compare", "status", "history", "cancel", "review", "resume");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a;
        switch (args[0]) {
            case "local" -> {
                if (args.length < 2) {
                    throw new UsageException("local needs a command: run, up, status, history, cancel, resume, review"
                            + " or sweep");
                }
                switch (args[1]) {
                    case "run" -> {
                        a = Args.parse(args, 2, List.of("--job", "--out", "--state", "--timeout"));
                        return new LocalRunCommand(out, err, config()).run(a.required("--job"), a.path("--out", null),
                                a.path("--state", null), a.singleInput(),
                                Integer.parseInt(a.options.getOrDefault("--timeout", "120")));
                    }
                    case "sweep" -> {
                        a = Args.parse(args, 2, List.of("--state", "--job"));
                        if (!a.inputs.isEmpty()) throw new UsageException("local sweep takes no input file");
                        return new LocalSweepCommand(out).run(a.path("--state", null), a.options.get("--job"));
                    }
                    case "status", "cancel" -> {
                        return operatorCommand(args, 2, "local " + args[1], List.of("--state"), out, err);
                    }
                    case "resume" -> {
                        return resume(Args.parse(args, 2, List.of("--state", "--timeout")), "local resume", out, err);
                    }
                    case "history" -> {
                        return operatorCommand(args, 2, "local history", List.of("--state"), out, err);
                    }
                    case "up" -> {
                        a = Args.parse(args, 2, List.of("--state"));
                        if (!a.inputs.isEmpty()) throw new UsageException("local up takes no input file");
                        return new LocalUpCommand(out).run(a.path("--state", Path.of(".batchline-state")));
                    }
                    case "review" -> {
                        return operatorCommand(args, 2, "local review", List.of("--run", "--job", "--state", "--max"),
                                out, err);
                    }
                    default -> throw new UsageException("unknown command: local " + args[1]);
                }
            }
            case "status", "history", "cancel", "review" -> {
                List<String> options = new ArrayList<>(List.of("--target", "--state"));
                if (args[0].equals("review")) options.addAll(List.of("--run", "--job", "--max"));
                return operatorCommand(args, 1, args[0], options, out, err);
            }
            case "resume" -> {
                return resume(Args.parse(args, 1, List.of("--target", "--state", "--timeout")), "resume", out, err);
            }
            case "grade" -> {
                List<String> rest = new ArrayList<>(List.of(args));
                boolean review = rest.remove("--review");
                a = Args.parse(rest.toArray(String[]::new), 1, List.of("--verdicts", "--grader", "--state",
                        "--target"));
                if (a.inputs.size() != 1) {
                    throw new UsageException("grade takes one RUN_ID (`" + statusCommand(a) + "` lists the runs)");
                }
                String grader = a.options.getOrDefault("--grader", System.getProperty("user.name", "grader"));
                if (grader.isBlank()) throw new UsageException("--grader needs a name");
                try (Target target = openTarget(a, "grade", out)) {
                    return new GradeCommand(out, new InputStreamReader(System.in, Charset.defaultCharset()),
                            Clock.systemUTC(), Path.of("batchline-out"), config())
                            .run(new GradeCommand.Options(a.inputs.get(0), review, a.path("--verdicts", null),
                                    grader), target);
                }
            }
            case "rerun" -> {
                a = Args.parse(args, 1, List.of("--job", "--only", "--out", "--state", "--timeout"));
                if (a.inputs.size() != 1) {
                    throw new UsageException("rerun takes one RUN_ID (`./batchline local status` lists the runs)");
                }
                java.util.Set<io.batchline.rerun.RerunSelection.Tier> only;
                try {
                    only = io.batchline.rerun.RerunSelection.parse(a.options.get("--only"));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                return new RerunCommand(out, err, Clock.systemUTC(), config()).run(new RerunCommand.Options(
                        a.inputs.get(0), a.required("--job"), only, a.path("--out", null),
                        Integer.parseInt(a.options.getOrDefault("--timeout", "120"))), a.path("--state", null));
            }
            case "compare" -> {
                a = Args.parse(args, 1, List.of("--out", "--state", "--target"));
                if (a.inputs.size() != 2) {
                    throw new UsageException("compare takes two run ids, RUN_A RUN_B (`" + statusCommand(a)
                            + "` lists the runs)");
                }
                try (Target target = openTarget(a, "compare", out)) {
                    return new CompareCommand(out, config()).run(a.inputs.get(0), a.inputs.get(1),
                            a.path("--out", null), target);
                }
            }
            default -> throw new UsageException("unknown command: " + args[0]);
        }
    }

    /** resume RUN_ID on the target the options name, waiting up to --timeout minutes (120) for its end. */
    private static int resume(Args a, String name, PrintStream out, PrintStream err) throws Exception {
        if (a.inputs.size() != 1) {
            throw new UsageException(name + " takes one RUN_ID (`" + statusCommand(a) + "` lists the runs)");
        }
        int timeoutMinutes = Integer.parseInt(a.options.getOrDefault("--timeout", "120"));
        try (Target target = openTarget(a, name, out)) {
            return new ResumeCommand(out, err).run(a.inputs.get(0), target, timeoutMinutes);
        }
    }

    /** This process's configuration, parsed from its environment when a command needs it. */
    private static PipelineConfig config() {
        return PipelineConfig.fromEnv(System.getenv());
    }

    /**
     * The target the options of command {@code name} name: the deployed stack of --target FILE, else the offline
     * stack of --state DIR.
     */
    private static Target openTarget(Args a, String name, PrintStream out) throws Exception {
        if (a.options.containsKey("--target") && a.options.containsKey("--state")) {
            throw new UsageException(name + " takes --target FILE (a deployed stack) or --state DIR (the offline"
                    + " stack), not both");
        }
        return Target.of(a.path("--target", null), a.path("--state", null), out);
    }

    /** How the user lists the runs of the target the options name. */
    private static String statusCommand(Args a) {
        return a.options.containsKey("--target") ? "./batchline status --target " + a.options.get("--target")
                : "./batchline local status";
    }

    /**
     * status, history, cancel or review (the words of {@code name}, from {@code args[from]} on) on the target the
     * options name.
     */
    private static int operatorCommand(String[] args, int from, String name, List<String> options, PrintStream out,
                                       PrintStream err) throws Exception {
        Args a = Args.parse(args, from, options);
        String command = name.substring(name.lastIndexOf(' ') + 1);
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
            default -> throw new UsageException("unknown command: " + name);
        }
        int max = Integer.parseInt(a.options.getOrDefault("--max", "100"));
        try (Target target = openTarget(a, name, out)) {
            return switch (command) {
                case "status" -> new StatusCommand(out).run(a.inputs.isEmpty() ? null : a.inputs.get(0), target);
                case "cancel" -> new CancelCommand(out, err).run(a.inputs.get(0), target);
                case "history" -> new HistoryCommand(out).run(a.inputs.get(0), target);
                default -> new ReviewCommand(out).run(a.options.get("--run"), a.options.get("--job"), target, max);
            };
        }
    }
}
