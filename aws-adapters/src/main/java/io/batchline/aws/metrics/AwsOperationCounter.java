package io.batchline.aws.metrics;

import io.batchline.metrics.RequestCounter;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Reports every HTTP attempt an AWS SDK client sends to the {@link RequestCounter}, named
 * {@code Service.Operation} ("S3.PutObject", "DynamoDb.Query"): an SDK retry is a second request, as AWS bills it.
 */
public final class AwsOperationCounter implements ExecutionInterceptor {
    public static final AwsOperationCounter INSTANCE = new AwsOperationCounter();

    private AwsOperationCounter() {}

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        RequestCounter.INSTANCE.count(service + "." + operation);
    }
}
