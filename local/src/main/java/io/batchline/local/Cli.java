package io.batchline.local;

import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code ./batchline}: the command line. Exit codes: 0 done, 1 the run failed, 2 usage or input error. */
public final class Cli {
    static final String USAGE = """
            usage:
              ./batchline plan --job FILE [--out DIR] [--calibrate sim|api] INPUT
                  check every line, render the requests into shards and estimate tokens and worst-case cost;
                  no stack, no spending (DIR defaults to ./batchline-plan); --calibrate counts a sample with
                  count_tokens (free) of the offline simulator or of the API (ANTHROPIC_API_KEY, _BASE_URL)
              ./batchline local run --job FILE [--out DIR] [--state DIR] [--timeout MINUTES] INPUT
                  run a real job on the offline stack (started for the run, or the one `local up` keeps);
                  outcomes go to DIR (default ./batchline-out/<run-id>/)
              ./batchline local up [--state DIR]
                  start the offline stack and keep it up, printing its endpoints
              ./batchline local status [RUN_ID] [--state DIR]
                  the runs with their state and counts (one run: its details, error and cause)
              ./batchline local cancel RUN_ID [--state DIR]
                  cancel a running run: its batches are canceled at the provider, what finished is kept,
                  the rest ends in failed.jsonl with reason canceled (exit 1 if the run already ended)
              ./batchline local resume RUN_ID [--state DIR] [--timeout MINUTES]
                  continue a run that failed, was stopped or whose stack was killed, from its records: batches
                  created are polled and collected (never created again), unsent requests are sent, the budget
                  reservation is settled (exit 1 if the run succeeded, was canceled or is still running)
              ./batchline local history RUN_ID [--state DIR]
                  the run's state transitions, as the Step Functions console lists them
              ./batchline local review [--run RUN_ID] [--job NAME] [--state DIR] [--max N]
                  show the review queue's items (all runs, one run's or one job's); they stay on the queue
              ./batchline local sweep [--job JOB] [--state DIR]
                  what the scheduled inbox sweep does in AWS: a run for every inbox file that has none yet
              ./batchline grade RUN_ID [--review] [--verdicts FILE] [--grader NAME] [--state DIR]
                  grade the run's spot-check sample (with --review, its review items too) in the terminal, or
                  take verdicts graded elsewhere from FILE (.csv line,verdict,correct_value or .jsonl); prints the
                  error rate with its 95% interval and the job's quality gate (sample.max_error_rate)
              ./batchline rerun RUN_ID --job FILE [--only TIERS] [--out DIR] [--state DIR] [--timeout MINUTES]
                  run the selected items of a finished run through another job spec (another prompt version) as a
                  new run linked to it, with their lines and ids; TIERS: accepted, review, rejected, failed,
                  graded-wrong, comma-separated (default rejected,review); a request identical to one the first run
                  sent is answered from the result cache, not paid again
              ./batchline compare RUN_A RUN_B [--out DIR] [--state DIR]
                  two finished runs item by item (the same input under two prompt versions, or a rerun of some
                  lines): changed answers, accuracy of both against the labels and graded verdicts, outcome moves,
                  cost per item and the job-spec fields that changed; compare.json, compare.html and
                  changed.jsonl go to DIR (default batchline-compare/RUN_A-vs-RUN_B/)
              ./batchline synth [-c key=value]...
                  write the CloudFormation templates into infra/cdk.out/ (settings: README, Deploy to AWS)
              ./batchline deploy [--profile P] [--region R] [--require-approval never|any-change|broadening]
                                 [--bootstrap] [-c key=value]...
                  synthesize and deploy to your AWS account with the project's CDK CLI
            INPUT is a .jsonl or .csv file, optionally .gz. --state DIR keeps all local data across restarts.
            """;

    public static void main(String[] args) {
        int code;
        try {
            io.batchline.pipeline.PipelineConfig.fromEnv(System.getenv()).configureProcess();
            code = run(args, System.out, System.err);
        } catch (UsageException e) {
            System.err.println("batchline: " + e.getMessage());
            System.err.print(USAGE);
            code = 2;
        } catch (UserInputException e) {
            System.err.println("batchline: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            System.err.println("batchline: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            if (System.getenv("BATCHLINE_DEBUG") != null) e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            out.print(USAGE);
            return 0;
        }
        Args a;
        switch (args[0]) {
            case "plan" -> {
                a = Args.parse(args, 1, List.of("--job", "--out", "--calibrate"));
                String calibrate = a.options.get("--calibrate");
                if (calibrate != null && !calibrate.equals("sim") && !calibrate.equals("api")) {
                    throw new UsageException("--calibrate takes sim (the offline simulator) or api (the Anthropic API)");
                }
                return new PlanCommand(out).run(a.required("--job"), a.path("--out", Path.of("batchline-plan")),
                        a.singleInput(), calibrate);
            }
            case "local" -> {
                if (args.length < 2) throw new UsageException("local needs a command: run, up, status, history, cancel, resume, review or sweep");
                switch (args[1]) {
                    case "run" -> {
                        a = Args.parse(args, 2, List.of("--job", "--out", "--state", "--timeout"));
                        return new LocalRunCommand(out, err).run(a.required("--job"), a.path("--out", null),
                                a.path("--state", null), a.singleInput(),
                                Integer.parseInt(a.options.getOrDefault("--timeout", "120")));
                    }
                    case "sweep" -> {
                        a = Args.parse(args, 2, List.of("--state", "--job"));
                        if (!a.inputs.isEmpty()) throw new UsageException("local sweep takes no input file");
                        return new LocalSweepCommand(out).run(a.path("--state", null), a.options.get("--job"));
                    }
                    case "status" -> {
                        a = Args.parse(args, 2, List.of("--state"));
                        if (a.inputs.size() > 1) throw new UsageException("local status takes at most one RUN_ID");
                        return new StatusCommand(out).run(a.inputs.isEmpty() ? null : a.inputs.get(0),
                                a.path("--state", null));
                    }
                    case "cancel" -> {
                        a = Args.parse(args, 2, List.of("--state"));
                        if (a.inputs.size() != 1) {
                            throw new UsageException("local cancel takes one RUN_ID (`./batchline local status` lists"
                                    + " the runs)");
                        }
                        return new CancelCommand(out, err).run(a.inputs.get(0), a.path("--state", null));
                    }
                    case "resume" -> {
                        a = Args.parse(args, 2, List.of("--state", "--timeout"));
                        if (a.inputs.size() != 1) {
                            throw new UsageException("local resume takes one RUN_ID (`./batchline local status` lists"
                                    + " the runs)");
                        }
                        return new ResumeCommand(out, err).run(a.inputs.get(0), a.path("--state", null),
                                Integer.parseInt(a.options.getOrDefault("--timeout", "120")));
                    }
                    case "history" -> {
                        a = Args.parse(args, 2, List.of("--state"));
                        if (a.inputs.size() != 1) throw new UsageException("local history takes one RUN_ID");
                        return new HistoryCommand(out).run(a.inputs.get(0), a.path("--state", null));
                    }
                    case "up" -> {
                        a = Args.parse(args, 2, List.of("--state"));
                        if (!a.inputs.isEmpty()) throw new UsageException("local up takes no input file");
                        return new LocalUpCommand(out).run(a.path("--state", Path.of(".batchline-state")));
                    }
                    case "review" -> {
                        a = Args.parse(args, 2, List.of("--run", "--job", "--state", "--max"));
                        if (!a.inputs.isEmpty()) throw new UsageException("local review takes no input file");
                        return new ReviewCommand(out).run(a.options.get("--run"), a.options.get("--job"),
                                a.path("--state", null),
                                Integer.parseInt(a.options.getOrDefault("--max", "100")));
                    }
                    default -> throw new UsageException("unknown command: local " + args[1]);
                }
            }
            case "grade" -> {
                List<String> rest = new ArrayList<>(List.of(args));
                boolean review = rest.remove("--review");
                a = Args.parse(rest.toArray(String[]::new), 1, List.of("--verdicts", "--grader", "--state"));
                if (a.inputs.size() != 1) {
                    throw new UsageException("grade takes one RUN_ID (`./batchline local status` lists the runs)");
                }
                String grader = a.options.getOrDefault("--grader", System.getProperty("user.name", "grader"));
                if (grader.isBlank()) throw new UsageException("--grader needs a name");
                return new GradeCommand(out, new InputStreamReader(System.in, Charset.defaultCharset()),
                        Clock.systemUTC(), Path.of("batchline-out"))
                        .run(new GradeCommand.Options(a.inputs.get(0), review, a.path("--verdicts", null), grader),
                                a.path("--state", null));
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
                return new RerunCommand(out, err, Clock.systemUTC()).run(new RerunCommand.Options(a.inputs.get(0),
                        a.required("--job"), only, a.path("--out", null),
                        Integer.parseInt(a.options.getOrDefault("--timeout", "120"))), a.path("--state", null));
            }
            case "compare" -> {
                a = Args.parse(args, 1, List.of("--out", "--state"));
                if (a.inputs.size() != 2) {
                    throw new UsageException("compare takes two run ids, RUN_A RUN_B (`./batchline local status`"
                            + " lists the runs)");
                }
                return new CompareCommand(out).run(a.inputs.get(0), a.inputs.get(1), a.path("--out", null),
                        a.path("--state", null));
            }
            case "synth" -> {
                return new SynthCommand(out, SynthCommand.Processes.inherit()).run(StackHandle.home(),
                        SynthCommand.context(args, 1));
            }
            case "deploy" -> {
                return DeployCommand.real(out).run(StackHandle.home(), DeployCommand.Options.parse(args, 1));
            }
            default -> throw new UsageException("unknown command: " + args[0]);
        }
    }

    static final class Args {
        final Map<String, String> options = new HashMap<>();
        final List<String> inputs = new ArrayList<>();

        static Args parse(String[] args, int from, List<String> known) {
            Args a = new Args();
            for (int i = from; i < args.length; i++) {
                String arg = args[i];
                if (arg.startsWith("--")) {
                    String name = arg;
                    String value = null;
                    int eq = arg.indexOf('=');
                    if (eq > 0) {
                        name = arg.substring(0, eq);
                        value = arg.substring(eq + 1);
                    }
                    if (!known.contains(name)) throw new UsageException("unknown option " + name);
                    if (value == null) {
                        if (i + 1 >= args.length) throw new UsageException(name + " needs a value");
                        value = args[++i];
                    }
                    a.options.put(name, value);
                } else {
                    a.inputs.add(arg);
                }
            }
            return a;
        }

        Path required(String name) {
            String v = options.get(name);
            if (v == null) throw new UsageException(name + " is required");
            return Path.of(v);
        }

        Path path(String name, Path dflt) {
            String v = options.get(name);
            return v == null ? dflt : Path.of(v);
        }

        Path singleInput() {
            if (inputs.size() != 1) throw new UsageException("give exactly one INPUT file (got " + inputs.size() + ")");
            return Path.of(inputs.get(0));
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** Bad input from the user (missing file, invalid job spec): a clear message, exit 2. */
    static final class UserInputException extends RuntimeException {
        UserInputException(String message) {
            super(message);
        }
    }
}
