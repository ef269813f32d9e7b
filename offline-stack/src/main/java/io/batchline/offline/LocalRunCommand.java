package io.batchline.offline;

import io.batchline.cli.JobFiles;
import io.batchline.cli.Target;
import io.batchline.cli.operate.RunSubmission;
import io.batchline.job.JobSpec;
import io.batchline.pipeline.PipelineConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./batchline local run}: drops the job spec and the input into the offline stack's bucket exactly as a user
 * would in AWS, then follows the execution the S3 event started and brings the outcome files home
 * ({@link RunSubmission}).
 */
final class LocalRunCommand {
    private final PrintStream out;
    private final PrintStream err;
    /** The catalogue and API version job specs are checked against. */
    private final PipelineConfig config;

    LocalRunCommand(PrintStream out, PrintStream err, PipelineConfig config) {
        this.out = out;
        this.err = err;
        this.config = config;
    }

    int run(Path jobFile, Path outDir, Path stateDir, Path input, int timeoutMinutes) throws Exception {
        JobSpec job = JobFiles.loadJob(jobFile, config);
        String inputName = JobFiles.checkInput(input);
        try (Target stack = new OfflineStackTarget().open(stateDir, out)) {
            return new RunSubmission(out, err).submit(stack, job, jobFile, Files.readAllBytes(jobFile), input,
                    inputName, outDir, timeoutMinutes);
        }
    }
}
