package io.batchline.offline.lambda;

import java.util.Map;

/**
 * Answers a stage's invokes some other way than by running the packaged function in its own process, e.g. the
 * stage's handler called in this JVM. The offline stack uses one for every stage when its options name one.
 */
@FunctionalInterface
public interface StageFunctionHost {
    /**
     * Names a {@code StageFunctionHost} class (public, no-argument constructor) for the stacks the commands start
     * ({@code local run}, {@code rerun}, {@code resume}): how the end-to-end tests run those commands with the stages
     * in their own JVM. Unset, the commands run the packaged functions.
     */
    String PROPERTY = "batchline.offline.stage-functions";

    /** The host the {@link #PROPERTY} system property names, or null when it is unset. */
    static StageFunctionHost fromSystemProperty() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) return null;
        try {
            return (StageFunctionHost) Class.forName(name).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("-D" + PROPERTY + "=" + name + " names no StageFunctionHost with a public"
                    + " no-argument constructor on the classpath", e);
        }
    }

    /** The function of {@code stage}, configured with the environment a packaged function of it would get. */
    LocalFunction function(String stage, Map<String, String> env);

    /** The stack stops: what the functions set up for it goes (called once, after the last invoke). */
    default void close() {}
}
