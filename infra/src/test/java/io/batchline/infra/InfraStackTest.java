package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class InfraStackTest {
    private final Synth.Result synth = Synth.defaults();
    private final Template t = synth.template();

    @Test
    void oneBucketEncryptedPrivateTlsOnlyWithLifecycle() {
        t.resourceCountIs("AWS::S3::Bucket", 1);
        t.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                        "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "LifecycleConfiguration", Map.of("Rules", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Id", "expire-request-shards", "ExpirationInDays", 30,
                                "TagFilters", List.of(Map.of("Key", BatchlineStack.EXPIRY_TAG, "Value", "requests")))),
                        Match.objectLike(Map.of("Id", "expire-raw-results", "ExpirationInDays", 90)),
                        Match.objectLike(Map.of("Id", "abort-incomplete-uploads",
                                "AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 1)))))))));
        t.hasResourceProperties("AWS::S3::BucketPolicy", Match.objectLike(Map.of("PolicyDocument", Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny", "Action", "s3:*",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))))));
    }

    @Test
    void inboxEventsGoToTheIntakeQueue() {
        t.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of("NotificationConfiguration", Map.of(
                "QueueConfigurations", List.of(Match.objectLike(Map.of(
                        "Event", "s3:ObjectCreated:*",
                        "Filter", Map.of("S3Key", Map.of("Rules", List.of(Map.of("Name", "prefix", "Value", "inbox/")))),
                        "Queue", Map.of("Fn::GetAtt", List.of(logicalId("AWS::SQS::Queue", "IntakeQueue"), "Arn")))))))));
        // no notification custom resource (its helper would need s3:PutBucketNotification on "*")
        t.resourceCountIs("Custom::S3BucketNotifications", 0);
        t.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of("PolicyDocument", Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "S3InboxEvents", "Principal", Map.of("Service", "s3.amazonaws.com")))))))));
    }

    @Test
    void everyQueueIsEncryptedTlsOnlyAndTheWorkQueuesHaveDlqs() {
        Map<String, Map<String, Object>> queues = synth.resources("AWS::SQS::Queue");
        // intake + review, their DLQs, one DLQ per schedule and the execution-ended rule's DLQ
        assertThat(queues).hasSize(7);
        for (Map<String, Object> q : queues.values()) {
            assertThat(props(q)).containsEntry("SqsManagedSseEnabled", true);
        }
        t.resourceCountIs("AWS::SQS::QueuePolicy", 7);
        t.allResourcesProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of("PolicyDocument", Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))))));

        Map<String, Object> intake = props(queues.get(logicalId("AWS::SQS::Queue", "IntakeQueue")));
        int intakeTimeout = ((Number) props(synth.resources("AWS::Lambda::Function")
                .get(logicalId("AWS::Lambda::Function", "IntakeFunction"))).get("Timeout")).intValue();
        assertThat(((Number) intake.get("VisibilityTimeout")).intValue()).isGreaterThanOrEqualTo(6 * intakeTimeout);
        assertThat(intake.get("RedrivePolicy")).isEqualTo(Map.of("deadLetterTargetArn",
                Map.of("Fn::GetAtt", List.of(logicalId("AWS::SQS::Queue", "IntakeDlq"), "Arn")), "maxReceiveCount", 5));
        Map<String, Object> review = props(queues.get(logicalId("AWS::SQS::Queue", "ReviewQueue")));
        assertThat(review.get("RedrivePolicy")).isEqualTo(Map.of("deadLetterTargetArn",
                Map.of("Fn::GetAtt", List.of(logicalId("AWS::SQS::Queue", "ReviewDlq"), "Arn")), "maxReceiveCount", 5));
    }

    @Test
    void tableIsOnDemandWithRecoveryAndTtl() {
        t.resourceCountIs("AWS::DynamoDB::Table", 1);
        t.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH"),
                        Map.of("AttributeName", "sk", "KeyType", "RANGE")),
                "AttributeDefinitions", List.of(Map.of("AttributeName", "pk", "AttributeType", "S"),
                        Map.of("AttributeName", "sk", "AttributeType", "S")),
                "BillingMode", "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "TimeToLiveSpecification", Map.of("AttributeName", "expires_at", "Enabled", true))));
        t.hasResource("AWS::DynamoDB::Table", Match.objectLike(Map.of("DeletionPolicy", "Retain")));
    }

    @Test
    void oneJavaFunctionPerHandlerWithSnapStartAndItsOwnRole() {
        Map<String, Map<String, Object>> fns = synth.resources("AWS::Lambda::Function");
        assertThat(fns).hasSize(Stage.values().length);
        java.util.Set<Object> roles = new java.util.HashSet<>();
        java.util.Set<Object> handlers = new java.util.HashSet<>();
        for (Map<String, Object> fn : fns.values()) {
            Map<String, Object> p = props(fn);
            assertThat(p).containsEntry("Runtime", "java17").containsEntry("Handler", BatchlineStack.HANDLER)
                    .containsEntry("SnapStart", Map.of("ApplyOn", "PublishedVersions"))
                    .containsEntry("TracingConfig", Map.of("Mode", "Active"));
            roles.add(p.get("Role"));
            @SuppressWarnings("unchecked")
            Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) p.get("Environment")).get("Variables");
            handlers.add(env.get("QUARKUS_LAMBDA_HANDLER"));
            assertThat(env).containsKey("BATCHLINE_TABLE");
            assertThat(p.get("LoggingConfig")).asString().contains("LogGroup");
        }
        assertThat(roles).hasSize(fns.size());
        assertThat(handlers).containsExactlyInAnyOrder("intake", "register", "format", "submit", "poll", "collect",
                "canary", "finalize", "mark-failed", "sweep", "cancel", "execution-ended");
        // SnapStart works on published versions: every function has a `live` alias
        t.resourceCountIs("AWS::Lambda::Alias", fns.size());
        t.allResourcesProperties("AWS::Lambda::Alias", Match.objectLike(Map.of("Name", "live")));
    }

    @Test
    void environmentFollowsTheStagesNeeds() {
        assertThat(env("IntakeFunction")).containsKey("BATCHLINE_STATE_MACHINE_ARN")
                .doesNotContainKey("ANTHROPIC_API_KEY_SECRET_ARN");
        assertThat(env("SweepFunction")).containsKey("BATCHLINE_STATE_MACHINE_ARN");
        assertThat(env("CollectFunction")).containsKey("BATCHLINE_REVIEW_QUEUE_URL");
        assertThat(env("SubmitFunction")).containsKey("ANTHROPIC_API_KEY_SECRET_ARN");
        assertThat(env("PollFunction")).containsKey("ANTHROPIC_API_KEY_SECRET_ARN");
        for (String other : List.of("IntakeFunction", "RegisterFunction", "FormatFunction", "CollectFunction",
                "FinalizeFunction", "MarkFailedFunction", "SweepFunction", "ExecutionEndedFunction")) {
            assertThat(env(other)).as(other).doesNotContainKey("ANTHROPIC_API_KEY_SECRET_ARN")
                    .doesNotContainKey("ANTHROPIC_API_KEY");
        }
    }

    @Test
    void intakeConsumesTheQueueWithPartialBatchFailures() {
        t.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
        t.hasResourceProperties("AWS::Lambda::EventSourceMapping", Match.objectLike(Map.of(
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                "EventSourceArn", Map.of("Fn::GetAtt", List.of(logicalId("AWS::SQS::Queue", "IntakeQueue"), "Arn")))));
    }

    @Test
    void everyLogGroupHasARetention() {
        Map<String, Map<String, Object>> groups = synth.resources("AWS::Logs::LogGroup");
        assertThat(groups).hasSize(Stage.values().length + 1); // the functions' and the state machine's
        for (Map<String, Object> g : groups.values()) assertThat(props(g)).containsEntry("RetentionInDays", 30);
    }

    @Test
    void stateMachineIsTracedAndLogged() {
        t.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
        t.hasResourceProperties("AWS::StepFunctions::StateMachine", Match.objectLike(Map.of(
                "StateMachineName", "batchline-run",
                "TracingConfiguration", Map.of("Enabled", true),
                "LoggingConfiguration", Match.objectLike(Map.of("Level", "ALL", "IncludeExecutionData", false)))));
    }

    @Test
    void schedulesTargetTheSweepWithDlqs() {
        Map<String, Map<String, Object>> schedules = synth.resources("AWS::Scheduler::Schedule");
        assertThat(schedules).hasSize(2);
        for (Map<String, Object> s : schedules.values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> target = (Map<String, Object>) props(s).get("Target");
            assertThat(target).containsKey("DeadLetterConfig");
            assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", logicalId("AWS::Lambda::Alias", "SweepLive")));
        }
        t.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(15 minutes)", "State", "ENABLED",
                "Target", Match.objectLike(Map.of("Input", "{\"mode\":\"inbox\"}")))));
        t.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(1 hour)", "State", "DISABLED")));
    }

    @Test
    void scheduleExpressionsComeFromContext() {
        Template custom = Synth.with(Map.of("sweepSchedule", "cron(0 * * * ? *)", "retryScheduleEnabled", "true",
                "logRetentionDays", "7")).template();
        custom.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "cron(0 * * * ? *)")));
        custom.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(1 hour)", "State", "ENABLED")));
        custom.allResourcesProperties("AWS::Logs::LogGroup", Match.objectLike(Map.of("RetentionInDays", 7)));
    }

    @Test
    void nativeSelectsTheCustomRuntimeWithoutSnapStart() {
        Template nat = Synth.with(Map.of("native", "true")).template();
        nat.allResourcesProperties("AWS::Lambda::Function", Match.objectLike(Map.of("Runtime", "provided.al2023",
                "SnapStart", Match.absent())));
    }

    @Test
    void alarmsNotifyTheTopicAndTheDashboardExists() {
        t.resourceCountIs("AWS::SNS::Topic", 1);
        t.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
        Map<String, Map<String, Object>> alarms = synth.resources("AWS::CloudWatch::Alarm");
        String topic = logicalId("AWS::SNS::Topic", "Alarms");
        for (Map<String, Object> a : alarms.values()) {
            assertThat(props(a).get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", topic)));
        }
        t.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "MetricName", "ExecutionsFailed", "Namespace", "AWS/States", "Threshold", 1)));
        t.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "MetricName", "CostPerItemUsd", "Namespace", "Batchline", "Threshold", 0.0006,
                "Dimensions", Match.arrayWith(List.of(Map.of("Name", "job", "Value", "ticket-triage"))))));
        t.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "MetricName", BatchlineStack.METRIC_DURATION, "Threshold", 7200)));
        t.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Threshold", 5, "ComparisonOperator", "GreaterThanThreshold",
                "Metrics", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Expression", "IF(items > 0, 100 * errors / items, 0)")))))));
    }

    private Map<String, Object> env(String functionId) {
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) props(synth.resources(
                "AWS::Lambda::Function").get(logicalId("AWS::Lambda::Function", functionId))).get("Environment"))
                .get("Variables");
        return env;
    }

    /** The logical id of the one resource of a type whose id starts with a construct id. */
    private String logicalId(String type, String constructId) {
        List<String> ids = synth.resources(type).keySet().stream().filter(id -> id.startsWith(constructId)).toList();
        assertThat(ids).as(type + " " + constructId).hasSize(1);
        return ids.get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> props(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("Properties");
    }
}
