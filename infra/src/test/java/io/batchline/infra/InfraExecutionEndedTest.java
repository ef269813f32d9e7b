package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * Stopped, timed-out and failed executions are seen. The EventBridge rule on the state machine's status
 * changes targets the execution-ended function (with retries and a DLQ), that function's role may do what
 * MarkFailedStage.recordExecutionEnd does and nothing more, and alarms watch ABORTED / TIMED_OUT executions and
 * inbox objects that start no run.
 */
class InfraExecutionEndedTest {
    private final Synth.Result synth = Synth.defaults();
    private final Template t = synth.template();

    @Test
    void theRuleMatchesTheStateMachinesEndedExecutionsAndTargetsTheFunctionWithRetriesAndADlq() {
        Map<String, Map<String, Object>> rules = synth.resources("AWS::Events::Rule");
        assertThat(rules).hasSize(1);
        Map<String, Object> rule = InfraStackTest.props(rules.values().iterator().next());
        assertThat(rule.get("EventPattern")).isEqualTo(Map.of(
                "source", List.of("aws.states"),
                "detail-type", List.of("Step Functions Execution Status Change"),
                "detail", Map.of("status", List.of("ABORTED", "TIMED_OUT", "FAILED"),
                        "stateMachineArn", List.of(Map.of("Ref", id("AWS::StepFunctions::StateMachine",
                                "RunStateMachine"))))));
        assertThat(rule).containsEntry("State", "ENABLED");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> targets = (List<Map<String, Object>>) rule.get("Targets");
        assertThat(targets).hasSize(1);
        Map<String, Object> target = targets.get(0);
        assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", id("AWS::Lambda::Alias", "ExecutionEndedLive")));
        assertThat(target.get("RetryPolicy")).isEqualTo(Map.of("MaximumRetryAttempts", 3,
                "MaximumEventAgeInSeconds", 21600));
        assertThat(target.get("DeadLetterConfig")).isEqualTo(Map.of("Arn", Map.of("Fn::GetAtt",
                List.of(id("AWS::SQS::Queue", "ExecutionEndedDlq"), "Arn"))));
        // EventBridge may invoke the alias, and the DLQ is watched like every other
        t.hasResourceProperties("AWS::Lambda::Permission", Match.objectLike(Map.of(
                "Action", "lambda:InvokeFunction", "Principal", "events.amazonaws.com",
                "FunctionName", Map.of("Ref", id("AWS::Lambda::Alias", "ExecutionEndedLive")))));
        t.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of("Dimensions", List.of(Map.of(
                "Name", "QueueName", "Value", Map.of("Fn::GetAtt",
                        List.of(id("AWS::SQS::Queue", "ExecutionEndedDlq"), "QueueName")))))));
    }

    @Test
    void theFunctionRunsTheExecutionEndedHandlerWithoutTheProviderKey() {
        Map<String, Object> fn = InfraStackTest.props(synth.resources("AWS::Lambda::Function")
                .get(id("AWS::Lambda::Function", "ExecutionEndedFunction")));
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) fn.get("Environment")).get("Variables");
        assertThat(env).containsEntry("QUARKUS_LAMBDA_HANDLER", "execution-ended").containsKey("BATCHLINE_TABLE")
                .doesNotContainKey("ANTHROPIC_API_KEY_SECRET_ARN").doesNotContainKey("BATCHLINE_STATE_MACHINE_ARN");
    }

    @Test
    void theRoleReadsOnlyTheRunsOutcomePartsAndWritesNoObject() {
        List<String> s3Actions = new ArrayList<>();
        List<Object> objectResources = new ArrayList<>();
        for (Map<String, Object> st : statements("ExecutionEndedRole")) {
            List<String> actions = IamStatements.actions(st);
            for (String a : actions) {
                if (a.startsWith("s3:")) s3Actions.add(a);
                assertThat(a).as("no provider key, no executions, no queue").doesNotStartWith("secretsmanager:")
                        .doesNotStartWith("states:").doesNotStartWith("sqs:");
            }
            if (actions.contains("s3:GetObject")) objectResources.addAll(IamStatements.resources(st));
        }
        assertThat(s3Actions).containsExactlyInAnyOrder("s3:GetObject", "s3:ListBucket");
        assertThat(String.valueOf(objectResources)).contains("/runs/*/parts/*");
        assertThat(objectResources).hasSize(1);
    }

    @Test
    void abortedAndTimedOutExecutionsAlarmNextToTheFailureAlarm() {
        t.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of("MetricName", "ExecutionsFailed",
                "Namespace", "AWS/States")));
        Map<String, Object> alarm = alarm("RunStoppedAlarm");
        assertThat(alarm).containsEntry("Threshold", 1).containsEntry("EvaluationPeriods", 1)
                .containsEntry("ComparisonOperator", "GreaterThanOrEqualToThreshold")
                .containsEntry("TreatMissingData", "notBreaching");
        assertThat(alarm.get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", id("AWS::SNS::Topic", "Alarms"))));
        List<String> watched = new ArrayList<>();
        for (Object q : (List<?>) alarm.get("Metrics")) {
            if (!(((Map<?, ?>) q).get("MetricStat") instanceof Map<?, ?> stat)) continue;
            Map<?, ?> metric = (Map<?, ?>) stat.get("Metric");
            assertThat(metric.get("Namespace")).isEqualTo("AWS/States");
            assertThat(metric.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "StateMachineArn",
                    "Value", Map.of("Ref", id("AWS::StepFunctions::StateMachine", "RunStateMachine")))));
            assertThat(stat.get("Stat")).isEqualTo("Sum");
            watched.add(String.valueOf(metric.get("MetricName")));
        }
        assertThat(watched).containsExactlyInAnyOrder("ExecutionsAborted", "ExecutionsTimedOut");
    }

    @Test
    void inboxObjectsThatStartNoRunAlarm() {
        Map<String, Object> alarm = alarm("IgnoredInboxObjectsAlarm");
        assertThat(alarm).containsEntry("Namespace", "Batchline").containsEntry("MetricName", "IgnoredInboxObjects")
                .containsEntry("Dimensions", List.of(Map.of("Name", "stage", "Value", "intake")))
                .containsEntry("Statistic", "Sum").containsEntry("Threshold", 1)
                .containsEntry("ComparisonOperator", "GreaterThanOrEqualToThreshold")
                .containsEntry("TreatMissingData", "notBreaching");
        assertThat(alarm.get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", id("AWS::SNS::Topic", "Alarms"))));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Map<String, Object> alarm(String constructId) {
        return InfraStackTest.props(synth.resources("AWS::CloudWatch::Alarm").get(id("AWS::CloudWatch::Alarm",
                constructId)));
    }

    private List<Map<String, Object>> statements(String roleConstructId) {
        String role = String.valueOf(List.of(Map.of("Ref", id("AWS::IAM::Role", roleConstructId))));
        List<Map<String, Object>> out = new ArrayList<>();
        for (var policy : synth.resources("AWS::IAM::Policy").values()) {
            Map<String, Object> props = InfraStackTest.props(policy);
            if (String.valueOf(props.get("Roles")).equals(role)) out.addAll(IamStatements.of(props));
        }
        assertThat(out).as(roleConstructId + " statements").isNotEmpty();
        return out;
    }

    private String id(String type, String constructId) {
        List<String> ids = synth.resources(type).keySet().stream().filter(k -> k.startsWith(constructId)).toList();
        assertThat(ids).as(type + " " + constructId).hasSize(1);
        return ids.get(0);
    }
}
