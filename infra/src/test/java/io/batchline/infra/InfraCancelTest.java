package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;

/**
 * The cancel function: an operator invokes it with {"run_id": ...}. It may read and conditionally update run and shard
 * records and read the API key (to cancel batches at the provider), and nothing else: no object in the bucket, no
 * execution started, no table scan or delete. Also the escalated-items alarm (items that failed on every allowed
 * attempt).
 */
class InfraCancelTest {
    private final Synth.Result synth = Synth.defaults();

    @Test
    void cancelFunctionHasTheProviderKeyAndOnlyItsTableActions() {
        String roleId = synth.resources("AWS::IAM::Role").keySet().stream().filter(k -> k.startsWith("CancelRole"))
                .findFirst().orElseThrow();
        List<String> actions = new ArrayList<>();
        for (var policy : synth.resources("AWS::IAM::Policy").values()) {
            Map<String, Object> props = InfraStackTest.props(policy);
            if (!String.valueOf(props.get("Roles")).equals(String.valueOf(List.of(Map.of("Ref", roleId))))) continue;
            for (Map<String, Object> st : IamStatements.of(props)) actions.addAll(IamStatements.actions(st));
        }
        assertThat(actions).filteredOn(a -> a.startsWith("dynamodb:"))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query");
        assertThat(actions).contains("secretsmanager:GetSecretValue");
        assertThat(actions).noneMatch(a -> a.startsWith("s3:") || a.startsWith("states:") || a.startsWith("sqs:"));

        synth.template().hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "QUARKUS_LAMBDA_HANDLER", "cancel",
                        "ANTHROPIC_API_KEY_SECRET_ARN", Match.anyValue()))))));
    }

    @Test
    void theStackOutputsTheCancelFunctionsLiveAlias() {
        Map<String, Map<String, Object>> outputs = synth.template().findOutputs("CancelFunctionArn");
        assertThat(outputs).hasSize(1);
        String alias = synth.resources("AWS::Lambda::Alias").keySet().stream().filter(k -> k.startsWith("CancelLive"))
                .findFirst().orElseThrow();
        assertThat(String.valueOf(outputs.values().iterator().next())).contains(alias);
    }

    @Test
    void escalatedItemsRaiseAnAlarmPerJob() {
        synth.template().hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "MetricName", BatchlineStack.METRIC_ESCALATED, "Namespace", BatchlineStack.METRICS_NAMESPACE,
                "Threshold", 1, "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "Dimensions", Match.arrayWith(List.of(Map.of("Name", "job", "Value", "ticket-triage"))))));
    }
}
