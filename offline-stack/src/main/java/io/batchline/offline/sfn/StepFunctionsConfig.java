package io.batchline.offline.sfn;

import java.net.URI;
import java.nio.file.Path;

/**
 * Settings of the local Step Functions service.
 *
 * @param port                 0 = a free port
 * @param nodeModulesDir       offline-stack/node_modules (Node 22 at node/bin/node, aws-local-stepfunctions)
 * @param lambdaInvokeEndpoint the LambdaHost Invoke API Lambda Task states call
 * @param stateDir             where state machines, executions and histories persist (JSON); null = memory only
 * @param waitTimeScale        Wait states last (their time x this); 1.0 = real time, tests compress
 * @param retryIntervalScale   Retry back-off intervals (incl. backoff, MaxDelaySeconds, jitter) are scaled by this
 * @param runnerScript         sfn-runner.mjs; null = found automatically (see {@link StepFunctionsEmulator})
 */
public record StepFunctionsConfig(int port, Path nodeModulesDir, URI lambdaInvokeEndpoint, Path stateDir,
                                  double waitTimeScale, double retryIntervalScale, Path runnerScript) {

    public StepFunctionsConfig {
        if (nodeModulesDir == null) throw new IllegalArgumentException("nodeModulesDir is required");
        if (lambdaInvokeEndpoint == null) throw new IllegalArgumentException("lambdaInvokeEndpoint is required");
        if (!(waitTimeScale >= 0) || !(retryIntervalScale >= 0)) throw new IllegalArgumentException("scales must be >= 0");
    }

    /** A free port, no persistence, real time. */
    public static StepFunctionsConfig of(Path nodeModulesDir, URI lambdaInvokeEndpoint) {
        return new StepFunctionsConfig(0, nodeModulesDir, lambdaInvokeEndpoint, null, 1.0, 1.0, null);
    }

    public StepFunctionsConfig withPort(int p) {
        return new StepFunctionsConfig(p, nodeModulesDir, lambdaInvokeEndpoint, stateDir, waitTimeScale, retryIntervalScale, runnerScript);
    }

    public StepFunctionsConfig withStateDir(Path dir) {
        return new StepFunctionsConfig(port, nodeModulesDir, lambdaInvokeEndpoint, dir, waitTimeScale, retryIntervalScale, runnerScript);
    }

    public StepFunctionsConfig withTimeScales(double wait, double retry) {
        return new StepFunctionsConfig(port, nodeModulesDir, lambdaInvokeEndpoint, stateDir, wait, retry, runnerScript);
    }

    public StepFunctionsConfig withRunnerScript(Path script) {
        return new StepFunctionsConfig(port, nodeModulesDir, lambdaInvokeEndpoint, stateDir, waitTimeScale, retryIntervalScale, script);
    }
}
