package io.batchline.offline;

import io.batchline.aws.lambda.LambdaInvoker;

/** Invokes one of the offline stack's functions by its stage, as {@code aws lambda invoke} does. */
final class FunctionInvoker {
    private FunctionInvoker() {}

    static LambdaInvoker.Answer invoke(OfflineStack.Endpoints ep, String stage, Object payload) {
        try (LambdaInvoker lambda = ep.clients().lambda()) {
            return lambda.invoke(OfflineStack.functionName(stage), payload);
        }
    }
}
