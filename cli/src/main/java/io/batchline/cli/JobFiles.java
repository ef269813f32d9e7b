package io.batchline.cli;

import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecException;
import io.batchline.job.JobSpecLoader;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.run.RunIds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The command line's checks of the files a user names, with messages that say what to fix. */
public final class JobFiles {
    private JobFiles() {}

    /** The job spec at {@code jobFile}, checked against the configured catalogue and API version. */
    public static JobSpec loadJob(Path jobFile, PipelineConfig config) {
        if (!Files.isRegularFile(jobFile)) throw new UserInputException("no job spec at " + jobFile);
        JobSpec job;
        try (InputStream in = Files.newInputStream(jobFile)) {
            job = JobSpecLoader.load(in, java.time.LocalDate.now(java.time.ZoneOffset.UTC), // retired models too
                    config.catalogue(), config.anthropicVersion());
        } catch (JobSpecException e) {
            throw new UserInputException(jobFile + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UserInputException("cannot read " + jobFile + ": " + e.getMessage());
        }
        if (RunIds.jobOfInboxKey("inbox/" + job.name() + "/x.jsonl").isEmpty()) {
            throw new UserInputException(jobFile + ": job name '" + job.name()
                    + "' must be 1-64 letters, digits, '-' or '_' (it names the inbox folder and the run)");
        }
        return job;
    }

    /** The job's golden file: {@code golden.file} relative to the job spec's folder. */
    public static Path goldenFile(Path jobFile, JobSpec job) {
        Path dir = jobFile.toAbsolutePath().getParent();
        Path golden = dir.resolve(job.golden().file()).normalize();
        if (!Files.isRegularFile(golden)) {
            throw new UserInputException(jobFile + ": golden.file '" + job.golden().file() + "' not found at "
                    + golden + " (it is relative to the job spec)");
        }
        return golden;
    }

    /** The file name the input gets in the inbox; only names the intake accepts. */
    public static String checkInput(Path input) {
        if (!Files.isRegularFile(input)) throw new UserInputException("no input file at " + input);
        String name = input.getFileName().toString();
        if (RunIds.jobOfInboxKey("inbox/job/" + name).isEmpty()) {
            throw new UserInputException("input " + name + " must be a .jsonl or .csv file, optionally .gz");
        }
        return name;
    }
}
