package io.batchline.offline.teststack;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that runs on the offline stack also under {@code -Dbatchline.stack=localstack}, with the reason:
 * it needs a part LocalStack does not offer the same way (the project's Lambda host running the packaged
 * functions in this JVM's reach, in-JVM fake functions behind Step Functions, killing a function process), or it
 * tests one of the offline stack's own components. It is not skipped: it still runs, on the emulators.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OfflineStackOnly {
    /** The reason of the end-to-end runs. */
    String PACKAGED_FUNCTIONS = "runs the packaged functions on the offline stack's Lambda host, which LocalStack's "
            + "Step Functions cannot call (its Lambda runs functions deployed into it, in its own Docker containers)";

    String STAGES_IN_TEST_JVM = "runs the stage handlers in the test JVM behind the offline stack's Lambda host, which "
            + "LocalStack's Step Functions cannot call (its Lambda runs functions deployed into it, in its own Docker "
            + "containers)";

    /** Why this class cannot take its endpoints from LocalStack. */
    String value();
}
