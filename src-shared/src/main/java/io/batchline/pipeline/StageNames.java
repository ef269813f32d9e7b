package io.batchline.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one list of the pipeline's stages, by the name each goes by everywhere: the handler name of its function in
 * functions/ ({@code @Named}, QUARKUS_LAMBDA_HANDLER), its Lambda function in the deployment (infra's Stage) and in
 * the offline stack ({@code batchline-<name>}), and, for the states of the state machine, its
 * {@code ${XxxFunctionArn}} placeholder in statemachine/batchline-run.asl.json. The names are compile-time
 * constants so that annotations can use them: {@code @Named(StageNames.COLLECT)}.
 */
public final class StageNames {
    public static final String INTAKE = "intake";
    public static final String REGISTER = "register";
    public static final String FORMAT = "format";
    public static final String SUBMIT = "submit";
    public static final String POLL = "poll";
    public static final String COLLECT = "collect";
    public static final String CANARY = "canary";
    public static final String FINALIZE = "finalize";
    public static final String MARK_FAILED = "mark-failed";
    public static final String CANCEL = "cancel";
    public static final String SWEEP = "sweep";
    public static final String EXECUTION_ENDED = "execution-ended";

    /** What invokes a stage's function. */
    public enum InvokedBy {
        /** A Task state of the state machine: the ASL names its function by a ${XxxFunctionArn} placeholder. */
        STATE_MACHINE,
        /** The Lambda trigger on the intake queue, which receives the S3 notifications of new inbox files. */
        INTAKE_QUEUE,
        /** An operator, to cancel a run. */
        OPERATOR,
        /** The scheduled inbox sweep (in the offline stack, `local sweep`). */
        SCHEDULE,
        /** The EventBridge rule on the state machine's executions that ended ABORTED, TIMED_OUT or FAILED. */
        EXECUTION_EVENT
    }

    private static final Map<String, InvokedBy> INVOKED_BY = new LinkedHashMap<>();

    static {
        INVOKED_BY.put(INTAKE, InvokedBy.INTAKE_QUEUE);
        INVOKED_BY.put(REGISTER, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(FORMAT, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(SUBMIT, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(POLL, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(COLLECT, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(CANARY, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(FINALIZE, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(MARK_FAILED, InvokedBy.STATE_MACHINE);
        INVOKED_BY.put(CANCEL, InvokedBy.OPERATOR);
        INVOKED_BY.put(SWEEP, InvokedBy.SCHEDULE);
        INVOKED_BY.put(EXECUTION_ENDED, InvokedBy.EXECUTION_EVENT);
    }

    /** Every stage: the intake, the state machine's in the order a run meets them, then the others. */
    public static final List<String> ALL = List.copyOf(INVOKED_BY.keySet());

    /** The stages that are states of the state machine: exactly the functions its definition may name. */
    public static final List<String> STATE_MACHINE_STAGES =
            ALL.stream().filter(s -> INVOKED_BY.get(s) == InvokedBy.STATE_MACHINE).toList();

    private StageNames() {}

    public static InvokedBy invokedBy(String stage) {
        InvokedBy by = INVOKED_BY.get(stage);
        if (by == null) throw new IllegalArgumentException("no stage is named " + stage + "; the stages are " + ALL);
        return by;
    }

    /** "mark-failed" -> "MarkFailedFunctionArn": how the state machine definition names a stage's function. */
    public static String aslPlaceholder(String stage) {
        StringBuilder sb = new StringBuilder();
        for (String part : stage.split("-")) {
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb + "FunctionArn";
    }

    /**
     * "MarkFailedFunctionArn" -> "mark-failed": the state-machine stage a placeholder of the definition stands for;
     * empty for anything else, including the placeholder of a stage that is not a state of the state machine.
     */
    public static Optional<String> stateMachineStageOf(String placeholder) {
        return STATE_MACHINE_STAGES.stream().filter(s -> aslPlaceholder(s).equals(placeholder)).findFirst();
    }
}
