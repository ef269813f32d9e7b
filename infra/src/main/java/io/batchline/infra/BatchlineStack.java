package io.batchline.infra;

import io.batchline.pipeline.StageBucketAccess;
import io.batchline.pipeline.StageNames;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.targets.LambdaInvoke;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

/**
 * Everything one Batchline deployment needs, wired as the offline stack (OfflineStack.java) wires it:
 * the same function artifact, the same state machine file, the same environment variable names.
 */
public final class BatchlineStack extends Stack {
    public static final String HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    public static final String METRICS_NAMESPACE = "Batchline";
    /**
     * What the finalizer emits once per run (io.batchline.metrics.RunMetrics, EMF): one dimension set {job, stage};
     * InfraMetricsTest checks these names against its output so an alarm never watches a metric nobody emits.
     */
    public static final String STAGE_DIMENSION_VALUE = "finalize";
    public static final String METRIC_ITEMS = "Items";
    /** io.batchline.pipeline.IgnoredInbox.METRIC, emitted by the intake with dimension stage=intake. */
    public static final String METRIC_IGNORED_INBOX = "IgnoredInboxObjects";
    public static final String IGNORED_INBOX_STAGE = "intake";
    public static final String METRIC_FAILED_ITEMS = "ItemsFailed";
    public static final String METRIC_COST = "CostUsd";
    /** Escalated: items that failed transiently on every allowed attempt (RunMetrics, report.json escalated_items) */
    public static final String METRIC_ESCALATED = "EscalatedItems";
    public static final String METRIC_COST_PER_ITEM = "CostPerItemUsd";
    /** No run-duration metric is emitted yet: a batch's submit-to-end time is most of a run's. */
    public static final String METRIC_DURATION = "SubmitToEndSeconds";
    /** Lambda's SQS guidance: visibility at least six times the consumer's timeout, so retries never overlap. */
    static final int VISIBILITY_PER_TIMEOUT = 6;

    public final Bucket bucket;
    public final Queue intakeQueue;
    public final Queue reviewQueue;
    public final Table table;
    public final Secret apiKey;
    public final StateMachine stateMachine;
    public final Topic alarms;
    public final Map<Stage, Function> functions = new EnumMap<>(Stage.class);
    public final Map<Stage, Alias> aliases = new EnumMap<>(Stage.class);
    /** Attach to whoever drops input files; allows writes under inbox/ only. */
    public final ManagedPolicy inputDroppers;
    /** The job owners' grants (jobs/: specs and golden files), attached to {@link #jobOwnerRole}. */
    public final ManagedPolicy jobOwners;
    /** The only principal the bucket policy lets write or delete under jobs/. */
    public final Role jobOwnerRole;
    /** What {@code ./batchline rerun --target} needs besides jobs/, attached to {@link #jobOwnerRole}. */
    public final ManagedPolicy rerunners;
    /** For uploaders that assume a role rather than carry the policy themselves. */
    public final Role inputDropperRole;
    private final List<Queue> deadLetterQueues = new ArrayList<>();
    private final StackSettings settings;

    public BatchlineStack(Construct scope, String id, StackProps props, StackSettings settings) {
        super(scope, id, props);
        this.settings = settings;
        String name = settings.name();

        // --- queues: intake (S3 events), review (items for a person); every queue has a DLQ, SSE and TLS only
        int intakeTimeout = Stage.INTAKE.timeoutSeconds;
        intakeQueue = queueWithDlq("Intake", Duration.seconds(VISIBILITY_PER_TIMEOUT * intakeTimeout));
        reviewQueue = queueWithDlq("Review", Duration.minutes(5));

        // --- bucket: jobs/, inbox/, runs/
        bucket = Bucket.Builder.create(this, "Data")
                // a fixed name lets the intake queue's policy name the bucket before the bucket exists
                .bucketName(name + "-" + Aws.ACCOUNT_ID + "-" + Aws.REGION)
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .lifecycleRules(lifecycleRules())
                // outcomes and reports are the product: a stack deletion must not take them along
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        wireInboxNotifications();
        inputDroppers = inputDroppersPolicy();
        jobOwners = jobOwnersPolicy();
        inputDropperRole = writerRole("InputDropperRole", inputDroppers,
                "batchline " + name + ": drops input files under inbox/ (nothing else)");
        jobOwnerRole = writerRole("JobOwnerRole", jobOwners,
                "batchline " + name + ": writes job specs and golden files under jobs/ (the model, prompt and budget"
                        + " of every run); the only principal the bucket policy lets write there");
        denyJobWritesExceptJobOwners();

        // --- table: run and shard records
        table = Table.Builder.create(this, "Runs")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("sk").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .timeToLiveAttribute("expires_at")
                .encryption(TableEncryption.AWS_MANAGED)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        // --- the API key: created with a random placeholder, set by the user (README, deploy guide)
        apiKey = Secret.Builder.create(this, "AnthropicApiKey")
                .description("Anthropic API key for " + name + " (set it with aws secretsmanager put-secret-value)")
                .build();

        // --- one function per handler, each with its own role
        for (Stage stage : Stage.values()) createFunction(stage);

        // --- the state machine, from the committed ASL file
        AslDefinition asl = AslDefinition.read(settings.aslFile());
        LogGroup smLogs = LogGroup.Builder.create(this, "RunStateMachineLogs")
                .logGroupName("/aws/vendedlogs/states/" + name + "-run")
                .retention(retention(settings.logRetentionDays()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        stateMachine = StateMachine.Builder.create(this, "RunStateMachine")
                .stateMachineName(name + "-run")
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromString(asl.json()))
                .definitionSubstitutions(substitutions(asl.placeholders()))
                .tracingEnabled(true)
                // execution data stays out of the logs (no prompt or output text); payloads are S3 pointers anyway
                .logs(LogOptions.builder().destination(smLogs).level(LogLevel.ALL).includeExecutionData(false).build())
                .build();
        for (String placeholder : asl.placeholders()) {
            aliases.get(stageOf(placeholder)).grantInvoke(stateMachine);
        }
        for (Stage stage : Stage.values()) {
            if (stage.startsRuns) {
                functions.get(stage).addEnvironment("BATCHLINE_STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
                stateMachine.grantStartExecution(functions.get(stage).getRole());
            }
        }

        // intake: the S3 events; partial batch failures so one bad message is retried alone, then dead-lettered
        aliases.get(Stage.INTAKE).addEventSource(SqsEventSource.Builder.create(intakeQueue)
                .batchSize(10).reportBatchItemFailures(true).build());

        schedules();
        executionEndedRule();
        alarms = Topic.Builder.create(this, "Alarms").displayName(name + " alarms").enforceSsl(true).build();
        if (settings.alarmEmail() != null) alarms.addSubscription(new EmailSubscription(settings.alarmEmail()));
        alarmsAndDashboard();
        rerunners = rerunnersPolicy();
        outputs();
        nagSuppressions();
    }

    // ---------------------------------------------------------------------------------------------- queues

    private Queue queueWithDlq(String id, Duration visibility) {
        Queue dlq = Queue.Builder.create(this, id + "Dlq")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        deadLetterQueues.add(dlq);
        return Queue.Builder.create(this, id + "Queue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(visibility)
                .retentionPeriod(Duration.days(4))
                .deadLetterQueue(DeadLetterQueue.builder().queue(dlq).maxReceiveCount(5).build())
                .build();
    }

    private Queue plainDlq(String id) {
        Queue dlq = Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        deadLetterQueues.add(dlq);
        return dlq;
    }

    // ---------------------------------------------------------------------------------------------- bucket

    /** Tags the writers put on request shards and raw results (S3 lifecycle rules cannot match runs/<id>/raw/). */
    public static final String EXPIRY_TAG = "batchline-expiry";

    private List<LifecycleRule> lifecycleRules() {
        return List.of(
                LifecycleRule.builder().id("expire-request-shards")
                        .tagFilters(Map.of(EXPIRY_TAG, "requests"))
                        .expiration(Duration.days(settings.shardExpiryDays())).build(),
                LifecycleRule.builder().id("expire-raw-results")
                        .tagFilters(Map.of(EXPIRY_TAG, "raw"))
                        .expiration(Duration.days(settings.rawExpiryDays())).build(),
                LifecycleRule.builder().id("abort-incomplete-uploads")
                        .abortIncompleteMultipartUploadAfter(Duration.days(1)).build());
    }

    /**
     * S3 -> SQS for inbox/ as a plain bucket property, not CDK's notification custom resource: that one needs a
     * helper function allowed s3:PutBucketNotification on every bucket (Resource "*").
     */
    private void wireInboxNotifications() {
        String bucketArn = "arn:" + Aws.PARTITION + ":s3:::" + settings.name() + "-" + Aws.ACCOUNT_ID + "-" + Aws.REGION;
        var allowS3 = intakeQueue.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("S3InboxEvents")
                .principals(List.of(new ServicePrincipal("s3.amazonaws.com")))
                .actions(List.of("sqs:SendMessage"))
                .resources(List.of(intakeQueue.getQueueArn()))
                .conditions(Map.of("ArnLike", Map.of("aws:SourceArn", bucketArn),
                        "StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                .build());
        CfnBucket cfn = (CfnBucket) bucket.getNode().getDefaultChild();
        cfn.setNotificationConfiguration(CfnBucket.NotificationConfigurationProperty.builder()
                .queueConfigurations(List.of(CfnBucket.QueueConfigurationProperty.builder()
                        .event("s3:ObjectCreated:*")
                        .queue(intakeQueue.getQueueArn())
                        .filter(CfnBucket.NotificationFilterProperty.builder()
                                .s3Key(CfnBucket.S3KeyFilterProperty.builder().rules(List.of(
                                        CfnBucket.FilterRuleProperty.builder().name("prefix").value("inbox/").build()))
                                        .build())
                                .build())
                        .build()))
                .build());
        // S3 checks that it may send to the queue when the configuration is set
        bucket.getNode().addDependency(allowS3.getPolicyDependable());
    }

    // ---------------------------------------------------------------------------------------------- writers

    /**
     * Who may decide what is spent. A job spec names the model, the prompt and the budget, so writing
     * jobs/ is a separate grant from dropping inputs into inbox/. Multipart uploads are s3:PutObject; aborting one
     * is its own action.
     */
    private ManagedPolicy inputDroppersPolicy() {
        return ManagedPolicy.Builder.create(this, "InputDroppers")
                .description("batchline " + settings.name() + ": drop input files under inbox/ of the data bucket;"
                        + " no read, no delete, no other prefix")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("DropInputs")
                        .actions(List.of("s3:PutObject", "s3:AbortMultipartUpload"))
                        .resources(List.of(bucket.arnForObjects("inbox/*"))).build()))
                .build();
    }

    private ManagedPolicy jobOwnersPolicy() {
        return ManagedPolicy.Builder.create(this, "JobOwners")
                .description("batchline " + settings.name() + ": write, read and delete job specs and golden files"
                        + " under jobs/ of the data bucket (effective only through the JobOwnerRole: the bucket policy"
                        + " denies jobs/ writes to every other principal)")
                .statements(List.of(
                        PolicyStatement.Builder.create()
                                .sid("WriteJobSpecs")
                                .actions(List.of("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                                        "s3:GetObject"))
                                .resources(List.of(bucket.arnForObjects("jobs/*"))).build(),
                        PolicyStatement.Builder.create()
                                .sid("ListJobSpecs")
                                .actions(List.of("s3:ListBucket"))
                                .resources(List.of(bucket.getBucketArn()))
                                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of("jobs/", "jobs/*"))))
                                .build()))
                .build();
    }

    /**
     * A rerun writes a job spec (another prompt version, which decides the rerun's spend), so `./batchline rerun
     * --target` runs as the JobOwnerRole, the only principal the bucket policy lets write jobs/; this policy adds
     * what else it does: read the first run (its records, outcome files, frozen spec, request shards and input),
     * drop the new input and the link to the first run, put the first run's answers into the result cache when its
     * job kept none, and follow the new run's execution.
     */
    private ManagedPolicy rerunnersPolicy() {
        String executions = Stack.of(this).formatArn(software.amazon.awscdk.ArnComponents.builder()
                .service("states").resource("execution")
                .resourceName(stateMachine.getStateMachineName() + ":*")
                .arnFormat(software.amazon.awscdk.ArnFormat.COLON_RESOURCE_NAME).build());
        ManagedPolicy policy = ManagedPolicy.Builder.create(this, "Rerunners")
                .description("batchline " + settings.name() + ": what ./batchline rerun --target needs besides"
                        + " jobs/ (attached to the JobOwnerRole)")
                .statements(List.of(
                        PolicyStatement.Builder.create().sid("DropRerunInputs")
                                .actions(List.of("s3:PutObject", "s3:AbortMultipartUpload"))
                                .resources(List.of(bucket.arnForObjects("inbox/*"), bucket.arnForObjects("reruns/*")))
                                .build(),
                        PolicyStatement.Builder.create().sid("ReadRuns")
                                .actions(List.of("s3:GetObject"))
                                .resources(List.of(bucket.arnForObjects("inbox/*"), bucket.arnForObjects("runs/*")))
                                .build(),
                        PolicyStatement.Builder.create().sid("ListRuns") // a missing key is a 404, not a 403
                                .actions(List.of("s3:ListBucket")).resources(List.of(bucket.getBucketArn())).build(),
                        PolicyStatement.Builder.create().sid("RunRecords")
                                .actions(List.of("dynamodb:GetItem", "dynamodb:Query"))
                                .resources(List.of(table.getTableArn()))
                                .conditions(Map.of("ForAllValues:StringLike",
                                        Map.of("dynamodb:LeadingKeys", List.of(RUN_KEYS + "*"))))
                                .build(),
                        PolicyStatement.Builder.create().sid("SeedResultCache")
                                .actions(List.of("dynamodb:PutItem"))
                                .resources(List.of(table.getTableArn()))
                                .conditions(Map.of("ForAllValues:StringLike",
                                        Map.of("dynamodb:LeadingKeys", List.of(CACHE_KEYS + "*"))))
                                .build(),
                        PolicyStatement.Builder.create().sid("FollowRuns")
                                .actions(List.of("states:DescribeExecution", "states:GetExecutionHistory"))
                                .resources(List.of(executions)).build()))
                .build();
        policy.attachToRole(jobOwnerRole);
        return policy;
    }

    /** Assumable by principals of this account whose own policy allows sts:AssumeRole on it. */
    private Role writerRole(String id, ManagedPolicy policy, String description) {
        Role role = Role.Builder.create(this, id)
                .assumedBy(new AccountRootPrincipal())
                .description(description)
                .build();
        // attached from the policy's side (its Roles list), so the role carries no ManagedPolicyArns
        policy.attachToRole(role);
        return role;
    }

    /**
     * Object writes under jobs/ are denied to every principal but the JobOwnerRole: admins, the input droppers
     * and this stack's own function roles included (no stage writes jobs/: register reads the spec and freezes a
     * copy under runs/). Lifting it means changing this bucket policy, which CloudTrail records.
     */
    private void denyJobWritesExceptJobOwners() {
        bucket.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("JobSpecsOnlyByJobOwners")
                .effect(Effect.DENY)
                .principals(List.of(new AnyPrincipal()))
                .actions(JOB_WRITE_ACTIONS)
                .resources(List.of(bucket.arnForObjects("jobs/*")))
                .conditions(Map.of("ArnNotEquals", Map.of("aws:PrincipalArn", jobOwnerRole.getRoleArn())))
                .build());
    }

    /** Every way to change an object under jobs/ (multipart parts and completion are s3:PutObject too). */
    static final List<String> JOB_WRITE_ACTIONS = List.of("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
            "s3:AbortMultipartUpload", "s3:PutObjectTagging", "s3:DeleteObjectTagging");

    // ---------------------------------------------------------------------------------------------- functions

    private void createFunction(Stage stage) {
        String id = stage.camel();
        Role role = Role.Builder.create(this, id + "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("batchline " + stage.handler + " function: only what its stage uses")
                .build();
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs")
                .retention(retention(settings.logRetentionDays()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        logs.grantWrite(role);

        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_LAMBDA_HANDLER", stage.handler);
        env.put("BATCHLINE_TABLE", table.getTableName());
        // the budget guard's limits (BudgetGuard); every function gets the same, so all read one truth
        env.put("BATCHLINE_MONTHLY_BUDGET_USD", settings.monthlyBudgetUsd().toPlainString());
        env.put("BATCHLINE_DEFAULT_RUN_BUDGET_USD", settings.defaultRunBudgetUsd().toPlainString());
        if (stage.sendsReviews) env.put("BATCHLINE_REVIEW_QUEUE_URL", reviewQueue.getQueueUrl());
        if (stage.callsProvider) env.put("ANTHROPIC_API_KEY_SECRET_ARN", apiKey.getSecretArn());
        if (stage == Stage.SWEEP) env.put("BATCHLINE_BUCKET", bucket.getBucketName());

        var fn = Function.Builder.create(this, id + "Function")
                .description("batchline " + stage.handler)
                .code(Code.fromAsset(settings.functionZip().toString()))
                .memorySize(stage.memoryMb)
                .timeout(Duration.seconds(stage.timeoutSeconds))
                .environment(env)
                .role(role)
                .logGroup(logs)
                .tracing(Tracing.ACTIVE);
        if (settings.nativeRuntime()) {
            // the native zip holds a `bootstrap` executable; the handler string is not used by provided runtimes
            fn.runtime(Runtime.PROVIDED_AL2023).handler("native.handler");
        } else {
            fn.runtime(Runtime.JAVA_17).handler(HANDLER).snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
        }
        Function function = fn.build();
        // SnapStart only applies to published versions: callers use the `live` alias, never $LATEST
        Alias alias = Alias.Builder.create(this, id + "Live")
                .aliasName("live").version(function.getCurrentVersion()).build();
        functions.put(stage, function);
        aliases.put(stage, alias);
        grantStageAccess(stage, role);
    }

    /** What each stage's code touches: the bucket as {@link StageBucketAccess} lists it, the table by key prefix. */
    private void grantStageAccess(Stage stage, IRole role) {
        StageBucketAccess objects = StageBucketAccess.of(stage.handler);
        if (!objects.reads().isEmpty()) readObjects(role, objects.reads().toArray(String[]::new));
        if (!objects.writes().isEmpty()) writeObjects(role, objects.writes().toArray(String[]::new));
        if (!objects.deletes().isEmpty()) deleteObjects(role, objects.deletes().toArray(String[]::new));
        tableAccess(stage).forEach((prefix, actions) -> role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(actions.stream().map(a -> "dynamodb:" + a).toList())
                .resources(List.of(table.getTableArn()))
                .conditions(Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", List.of(prefix + "*"))))
                .build()));
        if (stage.callsProvider) apiKey.grantRead(role);
        if (stage.sendsReviews) reviewQueue.grantSendMessages(role);
    }

    /** Partition-key prefixes of the one table (pk): run, shard, budget, idempotency and usage records of a run. */
    static final String RUN_KEYS = "RUN#";
    /** The month's budget record (DynamoBudgetLedger). */
    static final String BUDGET_KEYS = "BUDGET#";
    /** The result cache (DynamoResultCache). */
    static final String CACHE_KEYS = "CACHE#";

    /**
     * The DynamoDB actions each stage's code performs, by the partition-key prefix it performs them on
     * (granted with a dynamodb:LeadingKeys condition: no stage may touch another prefix, nor Scan the table). Read
     * off src-shared's adapters:
     * <ul>
     * <li>every stage with a run id records its AWS usage (StageMeter, AwsUsageStore.add): UpdateItem RUN#</li>
     * <li>DynamoRunStore: createRun PutItem (+ GetItem when it exists), run GetItem, planShard PutItem, shards
     *     Query, every mark and finishRun/requestCancel UpdateItem; RunStore.cancelRequested and pricesForRun are
     *     GetItem</li>
     * <li>the idempotency records around format, submit, collect and finalize (DynamoIdempotencyStore): PutItem,
     *     GetItem, UpdateItem, and DeleteItem to release a failed claim, all on RUN#</li>
     * <li>DynamoBudgetLedger: the run's BUDGET item (RUN#) GetItem/UpdateItem, the month (BUDGET#) GetItem/UpdateItem
     *     (format reserves, finalize settles, mark-failed releases or holds)</li>
     * <li>DynamoResultCache: format looks up (BatchGetItem), collect stores (PutItem) on CACHE#</li>
     * <li>finalize reads the run's usage for aws_cost (AwsUsageStore.load): Query RUN#</li>
     * </ul>
     * Intake and sweep use no table. InfraIamTest pins this list; the offline stack does not enforce IAM, so a
     * missing action here would only fail in AWS.
     */
    static Map<String, List<String>> tableAccess(Stage stage) {
        Map<String, List<String>> access = new LinkedHashMap<>();
        switch (stage) {
            case INTAKE, SWEEP -> { }
            case REGISTER -> access.put(RUN_KEYS, List.of("GetItem", "PutItem", "UpdateItem"));
            case FORMAT -> {
                access.put(RUN_KEYS, List.of("GetItem", "PutItem", "UpdateItem", "DeleteItem"));
                access.put(BUDGET_KEYS, List.of("GetItem", "UpdateItem"));
                access.put(CACHE_KEYS, List.of("BatchGetItem"));
            }
            case SUBMIT -> access.put(RUN_KEYS, List.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"));
            case POLL, CANARY, CANCEL -> access.put(RUN_KEYS, List.of("GetItem", "UpdateItem", "Query"));
            case COLLECT -> {
                access.put(RUN_KEYS, List.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"));
                access.put(CACHE_KEYS, List.of("PutItem"));
            }
            case FINALIZE -> {
                access.put(RUN_KEYS, List.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"));
                access.put(BUDGET_KEYS, List.of("GetItem", "UpdateItem"));
            }
            case MARK_FAILED, EXECUTION_ENDED -> {
                access.put(RUN_KEYS, List.of("GetItem", "UpdateItem", "Query"));
                access.put(BUDGET_KEYS, List.of("GetItem", "UpdateItem"));
            }
        }
        return access;
    }

    /**
     * GetObject on exact key patterns, plus ListBucket on the bucket: without it S3 answers a HEAD of a missing
     * key with 403 instead of 404, and the stages probe for their own earlier writes (idempotency).
     */
    private void readObjects(IRole role, String... patterns) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject")).resources(objectArns(patterns)).build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:ListBucket")).resources(List.of(bucket.getBucketArn())).build());
    }

    /** Streaming writes are multipart uploads: PutObject covers them, aborting one is its own action. */
    private void writeObjects(IRole role, String... patterns) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject", "s3:AbortMultipartUpload")).resources(objectArns(patterns)).build());
    }

    private void deleteObjects(IRole role, String... patterns) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:DeleteObject")).resources(objectArns(patterns)).build());
    }

    /** The ARNs of this bucket's objects whose keys match {@code patterns}. */
    private List<String> objectArns(String... patterns) {
        return java.util.Arrays.stream(patterns).map(bucket::arnForObjects).toList();
    }

    private Map<String, String> substitutions(Set<String> placeholders) {
        Map<String, String> subs = new HashMap<>();
        for (String placeholder : placeholders) {
            subs.put(placeholder, aliases.get(stageOf(placeholder)).getFunctionArn());
        }
        return subs;
    }

    /** The function a placeholder of the definition names: only a state-machine stage's function is accepted. */
    static Stage stageOf(String placeholder) {
        String handler = StageNames.stateMachineStageOf(placeholder).orElseThrow(() -> new IllegalStateException(
                "the state machine names ${" + placeholder + "}, but " + AslDefinition.stageOf(placeholder)
                        + " is not one of its stages " + StageNames.STATE_MACHINE_STAGES));
        for (Stage s : Stage.values()) if (s.handler.equals(handler)) return s;
        throw new IllegalStateException("infra's Stage list has no function for the stage " + handler);
    }

    // ---------------------------------------------------------------------------------------------- schedules

    private void schedules() {
        Alias sweep = aliases.get(Stage.SWEEP);
        Schedule.Builder.create(this, "InboxSweep")
                .description("Starts a run for every inbox file that has none yet")
                .schedule(ScheduleExpression.expression(settings.sweepSchedule()))
                .target(LambdaInvoke.Builder.create(sweep)
                        .input(ScheduleTargetInput.fromObject(Map.of("mode", "inbox")))
                        .deadLetterQueue(plainDlq("InboxSweepDlq"))
                        .retryAttempts(3)
                        .maxEventAge(Duration.hours(1))
                        .build())
                .build();
        Schedule.Builder.create(this, "PendingRetries")
                .description("Re-runs the pending retries of failed runs; off unless -c retryScheduleEnabled=true")
                .schedule(ScheduleExpression.expression(settings.retrySchedule()))
                .enabled(settings.retryScheduleEnabled())
                .target(LambdaInvoke.Builder.create(sweep)
                        .input(ScheduleTargetInput.fromObject(Map.of("mode", "retries")))
                        .deadLetterQueue(plainDlq("PendingRetriesDlq"))
                        .retryAttempts(3)
                        .maxEventAge(Duration.hours(1))
                        .build())
                .build();
    }

    /** The status changes that end an execution without "Mark run failed" having run (or after it). */
    static final List<String> ENDED_STATUSES = List.of("ABORTED", "TIMED_OUT", "FAILED");

    /**
     * An execution stopped in the console, timed out or failed outside the state machine's catch leaves
     * its run RUNNING and its reservation held: this rule hands each such status change to the execution-ended
     * function, which records the end on the run (only for the run's latest execution) and releases the
     * reservation unless batches are open. EventBridge retries a failed delivery, then dead-letters it (alarmed).
     */
    private void executionEndedRule() {
        Rule.Builder.create(this, "ExecutionEndedRule")
                .description("Records on the run the end of an execution stopped, timed out or failed")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.states"))
                        .detailType(List.of("Step Functions Execution Status Change"))
                        .detail(Map.of("status", ENDED_STATUSES,
                                "stateMachineArn", List.of(stateMachine.getStateMachineArn())))
                        .build())
                .targets(List.of(LambdaFunction.Builder.create(aliases.get(Stage.EXECUTION_ENDED))
                        .deadLetterQueue(plainDlq("ExecutionEndedDlq"))
                        .retryAttempts(3)
                        .maxEventAge(Duration.hours(6))
                        .build()))
                .build();
    }

    // ---------------------------------------------------------------------------------------------- alarms

    private void alarmsAndDashboard() {
        SnsAction notify = new SnsAction(alarms);
        List<Alarm> all = new ArrayList<>();
        all.add(Alarm.Builder.create(this, "RunFailedAlarm")
                .alarmDescription("A run failed: open the execution in the Step Functions console for its cause")
                .metric(stateMachine.metricFailed(software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                        .period(Duration.minutes(5)).statistic("Sum").build()))
                .threshold(1).evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
        // stopped or timed-out executions end no run by themselves (the rule above records them)
        all.add(Alarm.Builder.create(this, "RunStoppedAlarm")
                .alarmDescription("A run's execution was stopped (ABORTED) or timed out: its run is recorded FAILED"
                        + " with its batches kept; `batchline resume RUN_ID` continues it from its records")
                .metric(MathExpression.Builder.create()
                        .label("executions aborted or timed out")
                        .expression("aborted + timedOut")
                        .usingMetrics(Map.of(
                                "aborted", stateMachine.metricAborted(software.amazon.awscdk.services.cloudwatch
                                        .MetricOptions.builder().period(Duration.minutes(5)).statistic("Sum").build()),
                                "timedOut", stateMachine.metricTimedOut(software.amazon.awscdk.services.cloudwatch
                                        .MetricOptions.builder().period(Duration.minutes(5)).statistic("Sum").build())))
                        .period(Duration.minutes(5))
                        .build())
                .threshold(1).evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
        // an inbox object no run picks up (wrong extension, nested folder, wrong case), counted by intake
        all.add(Alarm.Builder.create(this, "IgnoredInboxObjectsAlarm")
                .alarmDescription("An object dropped under inbox/ started no run (wrong extension, nested folder,"
                        + " wrong case): the intake's log line names the key and the reason")
                .metric(Metric.Builder.create().namespace(METRICS_NAMESPACE).metricName(METRIC_IGNORED_INBOX)
                        .dimensionsMap(Map.of("stage", IGNORED_INBOX_STAGE))
                        .statistic("Sum").period(Duration.hours(1)).build())
                .threshold(1).evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
        for (Queue dlq : deadLetterQueues) {
            String id = dlq.getNode().getId();
            all.add(Alarm.Builder.create(this, id + "NotEmptyAlarm")
                    .alarmDescription("Messages reached " + id + ": something was given up after its retries")
                    .metric(dlq.metricApproximateNumberOfMessagesVisible())
                    .threshold(1).evaluationPeriods(1)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                    .treatMissingData(TreatMissingData.NOT_BREACHING)
                    .build());
        }
        List<GraphWidget> jobWidgets = new ArrayList<>();
        for (StackSettings.JobAlarm job : settings.jobAlarms()) {
            String id = job.job().replaceAll("[^A-Za-z0-9]", "");
            MathExpression errorRate = MathExpression.Builder.create()
                    .label(job.job() + " error rate %")
                    .expression("IF(items > 0, 100 * errors / items, 0)")
                    .usingMetrics(Map.of("items", jobMetric(job.job(), METRIC_ITEMS, "Sum"),
                            "errors", jobMetric(job.job(), METRIC_FAILED_ITEMS, "Sum")))
                    .period(Duration.hours(1))
                    .build();
            all.add(Alarm.Builder.create(this, id + "ErrorRateAlarm")
                    .alarmDescription(job.job() + ": more than 5% of items failed")
                    .metric(errorRate).threshold(5).evaluationPeriods(1)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                    .treatMissingData(TreatMissingData.NOT_BREACHING).build());
            all.add(Alarm.Builder.create(this, id + "CostPerItemAlarm")
                    .alarmDescription(job.job() + ": cost per item above 120% of the baseline $"
                            + job.baselineCostPerItemUsd())
                    .metric(jobMetric(job.job(), METRIC_COST_PER_ITEM, "Maximum"))
                    .threshold(1.2 * job.baselineCostPerItemUsd()).evaluationPeriods(1)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                    .treatMissingData(TreatMissingData.NOT_BREACHING).build());
            all.add(Alarm.Builder.create(this, id + "EscalatedItemsAlarm")
                    .alarmDescription(job.job() + ": items failed after their last attempt (max_attempts) on transient"
                            + " provider errors; failed.jsonl has each one's history")
                    .metric(jobMetric(job.job(), METRIC_ESCALATED, "Sum")).threshold(1).evaluationPeriods(1)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                    .treatMissingData(TreatMissingData.NOT_BREACHING).build());
            all.add(Alarm.Builder.create(this, id + "SlowRunAlarm")
                    .alarmDescription(job.job() + ": a batch took more than twice the run's expected "
                            + job.expectedRunMinutes() + " minutes")
                    .metric(jobMetric(job.job(), METRIC_DURATION, "Maximum"))
                    .threshold(2 * job.expectedRunMinutes() * 60).evaluationPeriods(1)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                    .treatMissingData(TreatMissingData.NOT_BREACHING).build());
            jobWidgets.add(GraphWidget.Builder.create().title(job.job() + ": items and errors").width(8)
                    .left(List.of(jobMetric(job.job(), METRIC_ITEMS, "Sum"), jobMetric(job.job(), METRIC_FAILED_ITEMS, "Sum")))
                    .right(List.of(errorRate)).build());
            jobWidgets.add(GraphWidget.Builder.create().title(job.job() + ": cost").width(8)
                    .left(List.of(jobMetric(job.job(), METRIC_COST, "Sum")))
                    .right(List.of(jobMetric(job.job(), METRIC_COST_PER_ITEM, "Maximum"))).build());
            jobWidgets.add(GraphWidget.Builder.create().title(job.job() + ": run duration (s)").width(8)
                    .left(List.of(jobMetric(job.job(), METRIC_DURATION, "Maximum"))).build());
        }
        for (Alarm a : all) a.addAlarmAction(notify);

        Dashboard dashboard = Dashboard.Builder.create(this, "Dashboard").dashboardName(settings.name()).build();
        dashboard.addWidgets(TextWidget.Builder.create().width(24).height(2).markdown("# " + settings.name()
                + "\nRuns (Step Functions), functions, queues, and per job the metrics the finalizer emits"
                + " (namespace `" + METRICS_NAMESPACE + "`).").build());
        dashboard.addWidgets(
                GraphWidget.Builder.create().title("Runs").width(8).left(List.of(
                        stateMachine.metricStarted(), stateMachine.metricSucceeded(), stateMachine.metricFailed()))
                        .build(),
                GraphWidget.Builder.create().title("Function errors").width(8).left(perFunction("Errors")).build(),
                GraphWidget.Builder.create().title("Function duration (max ms)").width(8)
                        .left(perFunction("Duration")).build());
        List<IMetric> queueDepths = new ArrayList<>();
        queueDepths.add(intakeQueue.metricApproximateNumberOfMessagesVisible());
        queueDepths.add(reviewQueue.metricApproximateNumberOfMessagesVisible());
        for (Queue dlq : deadLetterQueues) queueDepths.add(dlq.metricApproximateNumberOfMessagesVisible());
        dashboard.addWidgets(
                GraphWidget.Builder.create().title("Queues (visible messages)").width(12).left(queueDepths).build(),
                GraphWidget.Builder.create().title("Runs timed out or aborted").width(12).left(List.of(
                        stateMachine.metricTimedOut(), stateMachine.metricAborted())).build());
        if (!jobWidgets.isEmpty()) dashboard.addWidgets(jobWidgets.toArray(new GraphWidget[0]));
    }

    private static Metric jobMetric(String job, String name, String statistic) {
        return Metric.Builder.create().namespace(METRICS_NAMESPACE).metricName(name)
                .dimensionsMap(Map.of("job", job, "stage", STAGE_DIMENSION_VALUE)).statistic(statistic).period(Duration.hours(1)).build();
    }

    private List<IMetric> perFunction(String metric) {
        List<IMetric> metrics = new ArrayList<>();
        for (var e : functions.entrySet()) {
            Metric m = metric.equals("Errors") ? e.getValue().metricErrors() : e.getValue().metricDuration();
            metrics.add(m.with(software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                    .label(e.getKey().handler).statistic(metric.equals("Errors") ? "Sum" : "Maximum").build()));
        }
        return metrics;
    }

    // ---------------------------------------------------------------------------------------------- outputs

    private void outputs() {
        CfnOutput.Builder.create(this, "BucketName").value(bucket.getBucketName())
                .description("Drop jobs/<job>.yaml and inbox/<job>/<file>.jsonl here").build();
        CfnOutput.Builder.create(this, "InputDroppersPolicyArn").value(inputDroppers.getManagedPolicyArn())
                .description("Attach to whoever drops input files (inbox/ only)").build();
        CfnOutput.Builder.create(this, "InputDropperRoleArn").value(inputDropperRole.getRoleArn())
                .description("Or let uploaders assume this role (inbox/ only)").build();
        CfnOutput.Builder.create(this, "JobOwnerRoleArn").value(jobOwnerRole.getRoleArn())
                .description("Assume this role to write jobs/ (specs, golden files): the only principal allowed to")
                .build();
        CfnOutput.Builder.create(this, "JobOwnersPolicyArn").value(jobOwners.getManagedPolicyArn()).build();
        CfnOutput.Builder.create(this, "StateMachineArn").value(stateMachine.getStateMachineArn()).build();
        CfnOutput.Builder.create(this, "ApiKeySecretArn").value(apiKey.getSecretArn())
                .description("Put the Anthropic API key here").build();
        CfnOutput.Builder.create(this, "TableName").value(table.getTableName()).build();
        CfnOutput.Builder.create(this, "CancelFunctionArn").value(aliases.get(Stage.CANCEL).getFunctionArn())
                .description("Cancel a run: aws lambda invoke --function-name <this> --payload '{\"run_id\":\"...\"}'")
                .build();
        CfnOutput.Builder.create(this, "ReviewQueueUrl").value(reviewQueue.getQueueUrl()).build();
        CfnOutput.Builder.create(this, "AlarmTopicArn").value(alarms.getTopicArn()).build();
        CfnOutput.Builder.create(this, "Region").value(Aws.REGION)
                .description("Where the stack runs: with the bucket, table, state machine, review queue and cancel"
                        + " function, what ./batchline's operator commands need (its target file)").build();
        CfnOutput.Builder.create(this, "DashboardUrl").value("https://console.aws.amazon.com/cloudwatch/home?region="
                + Aws.REGION + "#dashboards:name=" + settings.name()).build();
    }

    // ---------------------------------------------------------------------------------------------- cdk-nag

    /** Each accepted finding of cdk-nag's AwsSolutions pack, with why it is accepted. */
    private void nagSuppressions() {
        NagSuppressions.addResourceSuppressions(bucket, List.of(suppress("AwsSolutions-S1",
                "Server access logs would need a second bucket per deployment; CloudTrail data events can be enabled"
                        + " account-wide instead. Writes under jobs/ (job specs: model, prompt, budget) are denied by"
                        + " the bucket policy to every principal but the JobOwnerRole; inbox/ and runs/ may be written"
                        + " by this stack's function roles (runs/ only), holders of the InputDroppers policy (inbox/"
                        + " only) and any account principal whose own IAM policy allows it")), true);
        for (Construct writer : List.<Construct>of(inputDroppers, jobOwners, inputDropperRole, jobOwnerRole)) {
            NagSuppressions.addResourceSuppressions(writer, List.of(suppress("AwsSolutions-IAM5",
                    "Object ARNs end in this bucket's key prefix (inbox/* for input droppers, jobs/* for job owners):"
                            + " writers name their own object keys under it")), true);
        }
        NagSuppressions.addResourceSuppressions(rerunners, List.of(suppress("AwsSolutions-IAM5",
                "Object ARNs end in this bucket's key prefixes (inbox/*, reruns/*, runs/*), the table's items are"
                        + " limited to the RUN# and CACHE# partitions, executions to this state machine's: a rerun"
                        + " reads the run it names and writes the keys it names under them")), true);
        NagSuppressions.addResourceSuppressions(apiKey, List.of(suppress("AwsSolutions-SMG4",
                "A third-party API key: it is rotated in the Anthropic console, not by a Lambda rotation function")),
                true);
        NagSuppressions.addResourceSuppressions(alarms, List.of(suppress("AwsSolutions-SNS2",
                "Alarm notifications carry alarm names and metric values only; CloudWatch cannot publish to a"
                        + " topic encrypted with the AWS managed SNS key")), true);
        for (Queue dlq : deadLetterQueues) {
            NagSuppressions.addResourceSuppressions(dlq, List.of(suppress("AwsSolutions-SQS3",
                    "This queue is itself a dead-letter queue (of a queue, a schedule or a rule), watched by an alarm")), true);
        }
        for (Stage stage : Stage.values()) {
            NagSuppressions.addResourceSuppressions(functions.get(stage), List.of(suppress("AwsSolutions-L1",
                    "Java 17 is the project's pinned runtime (the build targets release 17); a newer Java runtime is a"
                            + " separate, tested change")), true);
            NagSuppressions.addResourceSuppressions(functions.get(stage).getRole(), List.of(suppress("AwsSolutions-IAM5",
                    "Object ARNs end in key prefixes of this stack's bucket (runs/*/raw/* ...), the log group ARN ends"
                            + " in :* for its streams, and X-Ray's write actions have no resource-level permissions;"
                            + " InfraIamTest checks that no statement allows every action")), true);
        }
        NagSuppressions.addResourceSuppressions(stateMachine, List.of(suppress("AwsSolutions-IAM5",
                "Invoking a function alias needs no wildcard, but Step Functions' log delivery and X-Ray actions"
                        + " have no resource-level permissions (Resource *)")), true);
    }

    private static NagPackSuppression suppress(String id, String reason) {
        return NagPackSuppression.builder().id(id).reason(reason).build();
    }

    static RetentionDays retention(int days) {
        return switch (days) {
            case 1 -> RetentionDays.ONE_DAY;
            case 3 -> RetentionDays.THREE_DAYS;
            case 5 -> RetentionDays.FIVE_DAYS;
            case 7 -> RetentionDays.ONE_WEEK;
            case 14 -> RetentionDays.TWO_WEEKS;
            case 30 -> RetentionDays.ONE_MONTH;
            case 60 -> RetentionDays.TWO_MONTHS;
            case 90 -> RetentionDays.THREE_MONTHS;
            case 180 -> RetentionDays.SIX_MONTHS;
            case 365 -> RetentionDays.ONE_YEAR;
            default -> throw new IllegalArgumentException("logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90,"
                    + " 180, 365; got " + days);
        };
    }
}
