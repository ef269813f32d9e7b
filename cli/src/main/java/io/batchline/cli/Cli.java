package io.batchline.cli;

import io.batchline.cli.operate.OperatorCommands;
import io.batchline.pipeline.PipelineConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/** {@code ./batchline}: the command line. Exit codes: 0 done, 1 the run failed, 2 usage or input error. */
public final class Cli {
    public static final String USAGE = """
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
              ./batchline status [RUN_ID] --target FILE
              ./batchline history RUN_ID --target FILE
              ./batchline cancel RUN_ID --target FILE
              ./batchline resume RUN_ID [--timeout MINUTES] --target FILE
              ./batchline review [--run RUN_ID] [--job NAME] [--max N] --target FILE
              ./batchline grade RUN_ID [--review] [--verdicts FILE] [--grader NAME] --target FILE
              ./batchline compare RUN_A RUN_B [--out DIR] --target FILE
              ./batchline rerun RUN_ID --job FILE [--only TIERS] [--out DIR] [--timeout MINUTES] --target FILE
                  the same on a deployed stack: FILE names its region, bucket, table, state machine, review queue
                  and cancel function (./batchline deploy writes it: batchline-target.json); the AWS credentials
                  are the usual ones (environment, AWS_PROFILE, SSO); no offline stack is started
              ./batchline synth [-c key=value]...
                  write the CloudFormation templates into infra/cdk.out/ (settings: README, Deploy to AWS)
              ./batchline deploy [--profile P] [--region R] [--require-approval never|any-change|broadening]
                                 [--bootstrap] [-c key=value]...
                  synthesize and deploy to your AWS account with the project's CDK CLI, then write the stack's
                  outputs as the target file batchline-target.json (for status, history, cancel, resume,
                  review, grade, compare, rerun)
            INPUT is a .jsonl or .csv file, optionally .gz. --state DIR keeps all local data across restarts.
            """;

    /** The commands the offline stack's module adds (see {@link CommandSet}). */
    static final Set<String> OFFLINE_COMMANDS = Set.of("local");
    static final String OFFLINE_STACK = "the offline stack (the offline-stack module: offline-stack/target/batchline-offline-stack.jar"
            + " and offline-stack/target/lib)";

    /** The checkout the command line works in: -Dbatchline.home (./batchline sets it), else the current folder. */
    public static Path home() {
        return Path.of(System.getProperty("batchline.home", ".")).toAbsolutePath().normalize();
    }

    /** The offline Anthropic simulator, for {@code plan --calibrate sim}; a clear error when it is not there. */
    static OfflineAnthropic offlineAnthropic() {
        return ServiceLoader.load(OfflineAnthropic.class).findFirst().orElseThrow(() -> new UserInputException(
                "plan --calibrate sim needs the Anthropic simulator of " + OFFLINE_STACK + ", which is not on this"
                        + " classpath (run it through ./batchline, which adds it)"));
    }

    public static void main(String[] args) {
        int code;
        try {
            PipelineConfig.fromEnv(System.getenv()).configureProcess();
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

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
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
                return new PlanCommand(out, PipelineConfig.fromEnv(System.getenv())).run(a.required("--job"),
                        a.path("--out", Path.of("batchline-plan")),
                        a.singleInput(), calibrate);
            }
            case "synth" -> {
                return new SynthCommand(out, SynthCommand.Processes.inherit()).run(home(),
                        SynthCommand.context(args, 1));
            }
            case "deploy" -> {
                return DeployCommand.real(out).run(home(), DeployCommand.Options.parse(args, 1));
            }
            default -> {
                if (OperatorCommands.COMMANDS.contains(args[0])) return OperatorCommands.run(args, out, err);
                for (CommandSet set : ServiceLoader.load(CommandSet.class)) {
                    if (set.commands().contains(args[0])) return set.run(args, out, err);
                }
                if (!OFFLINE_COMMANDS.contains(args[0])) throw new UsageException("unknown command: " + args[0]);
                String command = args[0].equals("local") && args.length > 1 ? "local " + args[1] : args[0];
                err.println("batchline: `" + command + "` needs " + OFFLINE_STACK + ", which is not on this"
                        + " classpath (run it through ./batchline, which adds it)");
                return 2;
            }
        }
    }
}
