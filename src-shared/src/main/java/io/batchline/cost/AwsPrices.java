package io.batchline.cost;

/**
 * AWS list prices (us-east-1, on-demand, x86 Lambda, Standard workflows, S3 Standard, SQS standard queues),
 * without free tiers, as of {@link #AS_OF}; re-check them at aws.amazon.com/pricing before relying on them.
 * The same role as {@link PriceTable} for tokens: one dated table the report names.
 */
public final class AwsPrices {
    public static final String AS_OF = "2025-11-01";
    public static final String REGION = "us-east-1";
    public static final double LAMBDA_GB_SECOND = 0.0000166667;
    public static final double LAMBDA_REQUEST = 0.20 / 1e6;
    public static final double SFN_STATE_TRANSITION = 0.025 / 1e3;
    /** on-demand: one write request unit per write of up to 1 KB */
    public static final double DYNAMODB_WRITE_UNIT = 0.625 / 1e6;
    /** on-demand: one read request unit per strongly consistent read of up to 4 KB */
    public static final double DYNAMODB_READ_UNIT = 0.125 / 1e6;
    /** PUT, COPY, POST, LIST (and multipart parts) */
    public static final double S3_PUT_CLASS = 0.005 / 1e3;
    /** GET, HEAD and all other requests except DELETE (free) */
    public static final double S3_GET_CLASS = 0.0004 / 1e3;
    public static final double SQS_REQUEST = 0.40 / 1e6;
    public static final double SECRETS_MANAGER_CALL = 0.05 / 1e4;

    private AwsPrices() {}
}
