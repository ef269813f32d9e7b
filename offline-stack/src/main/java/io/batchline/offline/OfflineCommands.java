package io.batchline.offline;

import io.batchline.cli.Args;
import io.batchline.cli.CommandSet;
import io.batchline.cli.UsageException;
import io.batchline.cli.operate.OperatorCommands;
import io.batchline.pipeline.PipelineConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The commands that need the offline stack: {@code local run|up|sweep}, added to the command
 * line through {@code META-INF/services/io.batchline.cli.CommandSet}. The operator's commands live with the command
 * line ({@link OperatorCommands}); their {@code local status|history|cancel|resume|review} spellings are forwarded
 * there, to run on the offline stack of {@code --state DIR}.
 */
public final class OfflineCommands implements CommandSet {
    @Override
    public Set<String> commands() {
        return Set.of("local");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (!args[0].equals("local")) throw new UsageException("unknown command: " + args[0]);
        if (args.length < 2) {
            throw new UsageException("local needs a command: run, up, status, history, cancel, resume, review"
                    + " or sweep");
        }
        Args a;
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
            case "up" -> {
                a = Args.parse(args, 2, List.of("--state"));
                if (!a.inputs.isEmpty()) throw new UsageException("local up takes no input file");
                return new LocalUpCommand(out).run(a.path("--state", Path.of(".batchline-state")));
            }
            default -> {
                return OperatorCommands.runLocal(args, out, err);
            }
        }
    }

    /** This process's configuration, parsed from its environment when a command needs it. */
    private static PipelineConfig config() {
        return PipelineConfig.fromEnv(System.getenv());
    }
}
