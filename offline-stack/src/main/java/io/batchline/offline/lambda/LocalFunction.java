package io.batchline.offline.lambda;

/** An in-JVM fake behind the Lambda Invoke API (state machine tests). Payloads are JSON bytes. */
@FunctionalInterface
public interface LocalFunction {
    byte[] invoke(byte[] payload) throws FunctionError;
}
