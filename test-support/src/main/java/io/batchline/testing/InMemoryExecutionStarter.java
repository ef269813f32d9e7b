package io.batchline.testing;

import io.batchline.pipeline.ExecutionStarter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link ExecutionStarter} in memory: records each execution's input by name; a second start of a name returns
 * false and changes nothing, as StartExecution with an existing name does.
 */
public final class InMemoryExecutionStarter implements ExecutionStarter {
    private final Map<String, String> started = new LinkedHashMap<>();

    @Override
    public synchronized boolean start(String name, String input) {
        return started.putIfAbsent(name, input) == null;
    }

    /** Execution name -> input, in the order started. */
    public synchronized Map<String, String> started() {
        return new LinkedHashMap<>(started);
    }
}
