package io.batchline.aws.sfn;

import io.batchline.pipeline.ExecutionStarter;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

/** Starts executions of the run state machine on Step Functions, whose execution names are unique per machine. */
public final class StepFunctionsExecutionStarter implements ExecutionStarter {
    private final SfnClient sfn;
    private final String stateMachineArn;

    public StepFunctionsExecutionStarter(SfnClient sfn, String stateMachineArn) {
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
    }

    /** The ARN of the state machine's execution of that name (executions are named after their run). */
    public static String executionArn(String stateMachineArn, String executionName) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + executionName;
    }

    @Override
    public boolean start(String name, String input) {
        if (stateMachineArn == null || stateMachineArn.isBlank()) {
            throw new IllegalStateException("BATCHLINE_STATE_MACHINE_ARN is not set");
        }
        try {
            sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name(name).input(input));
            return true;
        } catch (ExecutionAlreadyExistsException e) {
            return false;
        }
    }
}
