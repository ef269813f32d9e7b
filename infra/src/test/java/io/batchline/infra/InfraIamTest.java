package io.batchline.infra;

import io.batchline.pipeline.StageBucketAccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Least privilege, checked on the synthesized template: no Allow statement grants every action of AWS or of a
 * service, and Resource "*" appears only with actions that have no resource-level permissions (metrics, X-Ray,
 * Step Functions' log delivery).
 */
class InfraIamTest {
    static final Set<String> ALLOWED_ON_ANY_RESOURCE = Set.of(
            "cloudwatch:PutMetricData",
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups");

    private final Synth.Result synth = Synth.defaults();

    @Test
    void noStatementAllowsEveryActionAndStarResourcesOnlyForMetricsAndTracing() {
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> statements = allowStatements();
        assertThat(statements).hasSizeGreaterThan(20);
        for (Map<String, Object> st : statements) {
            for (String action : IamStatements.actions(st)) {
                if (action.equals("*") || action.endsWith(":*")) problems.add("allows every action: " + st);
            }
            if (IamStatements.resources(st).contains("*")) {
                for (String action : IamStatements.actions(st)) {
                    if (!ALLOWED_ON_ANY_RESOURCE.contains(action)) problems.add(action + " on Resource *: " + st);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theApiKeyIsReadOnlyByTheFunctionsThatCallTheProvider() {
        String secret = synth.resources("AWS::SecretsManager::Secret").keySet().iterator().next();
        Set<String> readers = new java.util.TreeSet<>();
        for (var policy : synth.resources("AWS::IAM::Policy").values()) {
            Map<String, Object> props = InfraStackTest.props(policy);
            for (Map<String, Object> st : IamStatements.of(props)) {
                if (IamStatements.resources(st).contains(Map.of("Ref", secret))
                        && IamStatements.actions(st).contains("secretsmanager:GetSecretValue")) {
                    readers.add(String.valueOf(props.get("Roles")));
                }
            }
        }
        assertThat(readers).containsExactlyInAnyOrder(roleRef("Submit"), roleRef("Poll"), roleRef("Cancel"));
    }

    @Test
    void onlyIntakeAndSweepMayStartExecutions() {
        Set<String> starters = new java.util.TreeSet<>();
        for (var policy : synth.resources("AWS::IAM::Policy").values()) {
            Map<String, Object> props = InfraStackTest.props(policy);
            for (Map<String, Object> st : IamStatements.of(props)) {
                if (IamStatements.actions(st).contains("states:StartExecution")) {
                    assertThat(IamStatements.resources(st)).hasSize(1);
                    assertThat(String.valueOf(IamStatements.resources(st).get(0))).contains("RunStateMachine");
                    starters.add(String.valueOf(props.get("Roles")));
                }
            }
        }
        assertThat(starters).containsExactlyInAnyOrder(roleRef("Intake"), roleRef("Sweep"));
    }

    @Test
    void eachStageGetsExactlyTheBucketAccessItsCodeNeeds() {
        // the stage tests run every stage against these grants (GrantedObjectStore); the roles carry exactly them
        for (Stage stage : Stage.values()) {
            StageBucketAccess access = StageBucketAccess.of(stage.handler);
            assertThat(objectPatterns(stage.camel(), "s3:GetObject")).as(stage + " reads")
                    .containsExactlyInAnyOrderElementsOf(access.reads().stream().map(p -> "/" + p).toList());
            assertThat(objectPatterns(stage.camel(), "s3:PutObject")).as(stage + " writes")
                    .containsExactlyInAnyOrderElementsOf(access.writes().stream().map(p -> "/" + p).toList());
            assertThat(objectPatterns(stage.camel(), "s3:DeleteObject")).as(stage + " deletes")
                    .containsExactlyInAnyOrderElementsOf(access.deletes().stream().map(p -> "/" + p).toList());
        }
        assertThat(objectPatterns("Collect", "s3:PutObject")).containsExactlyInAnyOrder("/runs/*/parts/*",
                "/runs/*/retry/*", "/runs/*/golden-out/*", "/runs/*/checkpoints/*", "/runs/*/chunks/*",
                "/runs/*/review-sent/*");
        assertThat(objectPatterns("Collect", "s3:GetObject")).containsExactly("/runs/*");
        // registration probes for its own earlier writes, the golden file and a rerun's link
        assertThat(objectPatterns("Register", "s3:GetObject")).contains("/runs/*/job.yaml", "/reruns/*");
        assertThat(objectPatterns("Intake", "s3:GetObject")).isEmpty();
        assertThat(objectPatterns("Sweep", "s3:PutObject")).isEmpty();
    }

    /** The key patterns (after the bucket ARN) a stage's role may use an S3 object action on. */
    private List<String> objectPatterns(String stage, String action) {
        List<String> out = new ArrayList<>();
        for (var policy : synth.resources("AWS::IAM::Policy").values()) {
            Map<String, Object> props = InfraStackTest.props(policy);
            if (!String.valueOf(props.get("Roles")).equals(roleRef(stage))) continue;
            for (Map<String, Object> st : IamStatements.of(props)) {
                if (!IamStatements.actions(st).contains(action)) continue;
                for (Object r : IamStatements.resources(st)) {
                    // {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/runs/*"]]}
                    @SuppressWarnings("unchecked")
                    List<Object> parts = (List<Object>) ((List<Object>) ((Map<String, Object>) r).get("Fn::Join")).get(1);
                    out.add(String.valueOf(parts.get(1)));
                }
            }
        }
        return out;
    }

    private String roleRef(String stage) {
        String id = synth.resources("AWS::IAM::Role").keySet().stream().filter(k -> k.startsWith(stage + "Role"))
                .findFirst().orElseThrow();
        return String.valueOf(List.of(Map.of("Ref", id)));
    }

    private List<Map<String, Object>> allowStatements() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var policy : synth.resources("AWS::IAM::Policy").values()) {
            out.addAll(IamStatements.of(InfraStackTest.props(policy)));
        }
        // the writer policies the stack offers (input droppers, job owners)
        for (var policy : synth.resources("AWS::IAM::ManagedPolicy").values()) {
            out.addAll(IamStatements.of(InfraStackTest.props(policy)));
        }
        for (var role : synth.resources("AWS::IAM::Role").values()) {
            Object inline = InfraStackTest.props(role).get("Policies");
            if (inline instanceof List<?> l) {
                for (Object p : l) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> pm = (Map<String, Object>) p;
                    out.addAll(IamStatements.of(pm));
                }
            }
            assertThat(InfraStackTest.props(role)).doesNotContainKey("ManagedPolicyArns");
        }
        out.removeIf(st -> !"Allow".equals(st.get("Effect")));
        return out;
    }
}
