package io.batchline.chaos;

/**
 * Named points in the stages' work where a fault can be injected (the offline stack's chaos suite kills the
 * function process there, as a Lambda timeout or crash would). In AWS, and wherever no fault is armed,
 * {@link #NONE}: every point is a no-op.
 */
@FunctionalInterface
public interface FaultPoints {
    FaultPoints NONE = name -> { };

    /** Marks the point {@code name}; a fault armed for it acts here. */
    void point(String name);
}
