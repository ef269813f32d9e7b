package io.batchline.pipeline;

/** Starts one execution of the run state machine; the name makes a second start of the same run a no-op. */
@FunctionalInterface
public interface ExecutionStarter {

    /**
     * Starts an execution named {@code name} with {@code input} (JSON).
     *
     * @return true when started, false when an execution of that name already exists
     */
    boolean start(String name, String input);
}
