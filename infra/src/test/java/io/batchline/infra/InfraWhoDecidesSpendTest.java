package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Who may decide what is spent, on the synthesized template: separate writers for inbox/ and jobs/, a
 * bucket policy that denies jobs/ writes to everyone but the job owners, the deployment's budgets in the functions'
 * environment, and DynamoDB actions narrowed per stage to the key prefixes it owns.
 */
class InfraWhoDecidesSpendTest {
    private final Synth.Result synth = Synth.defaults();

    // ------------------------------------------------------------------------------------------------ writers

    @Test
    void inputDroppersMayOnlyWriteUnderInbox() {
        Map<String, Object> policy = managedPolicy("InputDroppers");
        List<Map<String, Object>> statements = IamStatements.of(policy);
        assertThat(statements).hasSize(1);
        Map<String, Object> st = statements.get(0);
        assertThat(st.get("Effect")).isEqualTo("Allow");
        assertThat(IamStatements.actions(st)).containsExactlyInAnyOrder("s3:PutObject", "s3:AbortMultipartUpload");
        assertThat(objectPatterns(st)).containsExactly("/inbox/*");
        assertThat(String.valueOf(policy.get("Roles"))).isEqualTo(roleRefs("InputDropperRole"));
    }

    @Test
    void jobOwnersWriteJobsThroughTheirOwnRole() {
        Map<String, Object> policy = managedPolicy("JobOwners");
        List<Map<String, Object>> statements = IamStatements.of(policy);
        assertThat(statements).hasSize(2);
        Map<String, Object> write = statements.get(0);
        assertThat(IamStatements.actions(write)).containsExactlyInAnyOrder("s3:PutObject", "s3:DeleteObject",
                "s3:AbortMultipartUpload", "s3:GetObject");
        assertThat(objectPatterns(write)).containsExactly("/jobs/*");
        Map<String, Object> list = statements.get(1);
        assertThat(IamStatements.actions(list)).containsExactly("s3:ListBucket");
        assertThat(list.get("Condition")).isEqualTo(Map.of("StringLike", Map.of("s3:prefix", List.of("jobs/", "jobs/*"))));
        assertThat(String.valueOf(policy.get("Roles"))).isEqualTo(roleRefs("JobOwnerRole"));

        // both writer roles are assumed from within the account, and carry nothing but their managed policy
        for (String role : List.of("JobOwnerRole", "InputDropperRole")) {
            Map<String, Object> props = InfraStackTest.props(synth.resources("AWS::IAM::Role").get(id("AWS::IAM::Role", role)));
            assertThat(String.valueOf(props.get("AssumeRolePolicyDocument"))).contains("sts:AssumeRole").contains(":root");
            assertThat(props).doesNotContainKeys("Policies", "ManagedPolicyArns");
        }
        for (var p : synth.resources("AWS::IAM::Policy").values()) {
            assertThat(String.valueOf(InfraStackTest.props(p).get("Roles")))
                    .doesNotContain(id("AWS::IAM::Role", "JobOwnerRole"))
                    .doesNotContain(id("AWS::IAM::Role", "InputDropperRole"));
        }
    }

    @Test
    void aRerunRunsAsTheJobOwnerRoleWhichMayReadTheRunDropItsInputAndFollowIt() {
        Map<String, Object> policy = managedPolicy("Rerunners");
        assertThat(String.valueOf(policy.get("Roles"))).isEqualTo(roleRefs("JobOwnerRole"));
        Map<String, Map<String, Object>> bySid = new java.util.LinkedHashMap<>();
        for (Map<String, Object> st : IamStatements.of(policy)) bySid.put(String.valueOf(st.get("Sid")), st);
        assertThat(bySid.keySet()).containsExactly("DropRerunInputs", "ReadRuns", "ListRuns", "RunRecords",
                "SeedResultCache", "FollowRuns");
        assertThat(IamStatements.actions(bySid.get("DropRerunInputs")))
                .containsExactlyInAnyOrder("s3:PutObject", "s3:AbortMultipartUpload");
        assertThat(objectPatterns(bySid.get("DropRerunInputs"))).containsExactly("/inbox/*", "/reruns/*");
        assertThat(IamStatements.actions(bySid.get("ReadRuns"))).containsExactly("s3:GetObject");
        assertThat(objectPatterns(bySid.get("ReadRuns"))).containsExactly("/inbox/*", "/runs/*");
        assertThat(bySid.get("RunRecords").get("Condition")).isEqualTo(Map.of("ForAllValues:StringLike",
                Map.of("dynamodb:LeadingKeys", List.of(BatchlineStack.RUN_KEYS + "*"))));
        assertThat(IamStatements.actions(bySid.get("SeedResultCache"))).containsExactly("dynamodb:PutItem");
        assertThat(bySid.get("SeedResultCache").get("Condition")).isEqualTo(Map.of("ForAllValues:StringLike",
                Map.of("dynamodb:LeadingKeys", List.of(BatchlineStack.CACHE_KEYS + "*"))));
        assertThat(IamStatements.actions(bySid.get("FollowRuns")))
                .containsExactlyInAnyOrder("states:DescribeExecution", "states:GetExecutionHistory");
        assertThat(String.valueOf(IamStatements.resources(bySid.get("FollowRuns")))).contains(":execution:")
                .contains("RunStateMachine");
        // no other write: nothing under runs/, and jobs/ only through the job owners' own policy
        for (Map<String, Object> st : IamStatements.of(policy)) {
            if (IamStatements.actions(st).contains("s3:PutObject")) {
                assertThat(objectPatterns(st)).doesNotContain("/runs/*", "/jobs/*");
            }
        }
    }

    @Test
    void theBucketPolicyDeniesJobsWritesToEveryoneButTheJobOwnerRole() {
        Map<String, Object> deny = null;
        for (var bp : synth.resources("AWS::S3::BucketPolicy").values()) {
            for (Map<String, Object> st : IamStatements.of(InfraStackTest.props(bp))) {
                if ("JobSpecsOnlyByJobOwners".equals(st.get("Sid"))) deny = st;
            }
        }
        assertThat(deny).as("the jobs/ deny statement").isNotNull();
        assertThat(deny.get("Effect")).isEqualTo("Deny");
        assertThat(deny.get("Principal")).isEqualTo(Map.of("AWS", "*"));
        assertThat(IamStatements.actions(deny)).contains("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
                "s3:AbortMultipartUpload");
        assertThat(objectPatterns(deny)).containsExactly("/jobs/*");
        assertThat(deny.get("Condition")).isEqualTo(Map.of("ArnNotEquals", Map.of("aws:PrincipalArn",
                Map.of("Fn::GetAtt", List.of(id("AWS::IAM::Role", "JobOwnerRole"), "Arn")))));
    }

    @Test
    void noStageRoleAndNoPolicyButTheJobOwnersMayWriteUnderJobs() {
        List<String> writers = new ArrayList<>();
        Map<String, Map<String, Object>> all = new LinkedHashMap<>(synth.resources("AWS::IAM::Policy"));
        all.putAll(synth.resources("AWS::IAM::ManagedPolicy"));
        all.forEach((logicalId, resource) -> {
            for (Map<String, Object> st : IamStatements.of(InfraStackTest.props(resource))) {
                boolean writes = IamStatements.actions(st).stream().anyMatch(BatchlineStack.JOB_WRITE_ACTIONS::contains);
                boolean onJobs = String.valueOf(IamStatements.resources(st)).contains("/jobs/")
                        || IamStatements.resources(st).contains("*")
                        || objectPatternsOrEmpty(st).stream().anyMatch(p -> p.equals("/*"));
                if (writes && onJobs) writers.add(logicalId);
            }
        });
        assertThat(writers).hasSize(1).allSatisfy(w -> assertThat(w).startsWith("JobOwners"));
    }

    // ------------------------------------------------------------------------------------------------ budgets

    @Test
    void everyFunctionGetsTheDeploymentsBudgetsWithSafeDefaults() {
        for (Map<String, Object> env : envs(Synth.defaults())) {
            assertThat(env).containsEntry("BATCHLINE_MONTHLY_BUDGET_USD", "100")
                    .containsEntry("BATCHLINE_DEFAULT_RUN_BUDGET_USD", "25");
        }
        // the names are the ones the functions' budget guard reads
        assertThat(io.batchline.budget.BudgetGuard.MONTHLY_BUDGET_ENV).isEqualTo("BATCHLINE_MONTHLY_BUDGET_USD");
        assertThat(io.batchline.budget.BudgetGuard.DEFAULT_RUN_BUDGET_ENV).isEqualTo("BATCHLINE_DEFAULT_RUN_BUDGET_USD");
    }

    @Test
    void theBudgetsAreSetWithContext() {
        List<Map<String, Object>> envs = envs(Synth.with(Map.of("monthlyBudgetUsd", "2500", "defaultRunBudgetUsd", "7.5")));
        assertThat(envs).hasSize(Stage.values().length);
        for (Map<String, Object> env : envs) {
            assertThat(env).containsEntry("BATCHLINE_MONTHLY_BUDGET_USD", "2500")
                    .containsEntry("BATCHLINE_DEFAULT_RUN_BUDGET_USD", "7.5");
        }
    }

    @Test
    void aBudgetThatIsNotAPositiveAmountFailsTheSynth() {
        for (String bad : List.of("0", "-5", "lots")) {
            assertThatThrownBy(() -> Synth.with(Map.of("monthlyBudgetUsd", bad)))
                    .hasMessageContaining("monthlyBudgetUsd must be a positive amount of US dollars");
            assertThatThrownBy(() -> Synth.with(Map.of("defaultRunBudgetUsd", bad)))
                    .hasMessageContaining("defaultRunBudgetUsd must be a positive amount of US dollars");
        }
    }

    // ------------------------------------------------------------------------------------------------ table

    /**
     * What each stage's code does on the table, by partition-key prefix (see BatchlineStack.tableAccess for where
     * each action comes from). Written out here on purpose: a change to the grants must change this list too.
     */
    static final Map<String, Map<String, List<String>>> EXPECTED_TABLE_ACCESS = new TreeMap<>(Map.ofEntries(
            Map.entry("Intake", Map.of()),
            Map.entry("Sweep", Map.of()),
            Map.entry("Register", Map.of("RUN#*", List.of("GetItem", "PutItem", "UpdateItem"))),
            Map.entry("Format", Map.of(
                    "RUN#*", List.of("DeleteItem", "GetItem", "PutItem", "UpdateItem"),
                    "BUDGET#*", List.of("GetItem", "UpdateItem"),
                    "CACHE#*", List.of("BatchGetItem"))),
            Map.entry("Submit", Map.of("RUN#*", List.of("DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"))),
            Map.entry("Poll", Map.of("RUN#*", List.of("GetItem", "Query", "UpdateItem"))),
            Map.entry("Collect", Map.of(
                    "RUN#*", List.of("DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"),
                    "CACHE#*", List.of("PutItem"))),
            Map.entry("Canary", Map.of("RUN#*", List.of("GetItem", "Query", "UpdateItem"))),
            Map.entry("Finalize", Map.of(
                    "RUN#*", List.of("DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"),
                    "BUDGET#*", List.of("GetItem", "UpdateItem"))),
            Map.entry("MarkFailed", Map.of(
                    "RUN#*", List.of("GetItem", "Query", "UpdateItem"),
                    "BUDGET#*", List.of("GetItem", "UpdateItem"))),
            Map.entry("Cancel", Map.of("RUN#*", List.of("GetItem", "Query", "UpdateItem"))),
            Map.entry("ExecutionEnded", Map.of(
                    "RUN#*", List.of("GetItem", "Query", "UpdateItem"),
                    "BUDGET#*", List.of("GetItem", "UpdateItem")))));

    @Test
    void eachStageRoleHasExactlyItsTableActionsOnTheKeyPrefixesItOwns() {
        assertThat(EXPECTED_TABLE_ACCESS).hasSize(Stage.values().length);
        Map<String, Map<String, List<String>>> actual = new TreeMap<>();
        for (Stage stage : Stage.values()) actual.put(stage.camel(), tableAccess(stage.camel()));
        assertThat(actual).isEqualTo(EXPECTED_TABLE_ACCESS);
    }

    @Test
    void noStageMayScanOrWriteInBulkAndDeleteOnlyItsOwnIdempotencyClaims() {
        for (Stage stage : Stage.values()) {
            Map<String, List<String>> access = tableAccess(stage.camel());
            for (var e : access.entrySet()) {
                assertThat(e.getValue()).as(stage + " on " + e.getKey())
                        .doesNotContain("Scan", "BatchWriteItem", "TransactWriteItems", "PartiQLUpdate", "PartiQLDelete",
                                "DescribeTable", "*");
                if (!e.getKey().equals("RUN#*")) assertThat(e.getValue()).as(stage + " on " + e.getKey()).doesNotContain("DeleteItem");
            }
        }
        // only the stages wrapped in idempotency records release a failed claim
        for (String stage : List.of("Register", "Poll", "Canary", "MarkFailed", "Cancel", "ExecutionEnded")) {
            assertThat(tableAccess(stage).getOrDefault("RUN#*", List.of())).as(stage).doesNotContain("DeleteItem");
        }
        // the month's budget record: written by the stages that reserve, settle or release only
        for (Stage stage : Stage.values()) {
            boolean budget = tableAccess(stage.camel()).containsKey("BUDGET#*");
            assertThat(budget).as(stage.camel()).isEqualTo(List.of("Format", "Finalize", "MarkFailed", "ExecutionEnded").contains(stage.camel()));
        }
    }

    /**
     * The DynamoDB grants of one stage's role: prefix of dynamodb:LeadingKeys -> sorted actions (without the
     * service); each statement must name the table alone and carry the LeadingKeys condition.
     */
    private Map<String, List<String>> tableAccess(String stage) {
        String table = id("AWS::DynamoDB::Table", "Runs");
        Map<String, List<String>> out = new TreeMap<>();
        for (var policy : synth.resources("AWS::IAM::Policy").values()) {
            Map<String, Object> props = InfraStackTest.props(policy);
            if (!String.valueOf(props.get("Roles")).equals(roleRefs(stage + "Role"))) continue;
            for (Map<String, Object> st : IamStatements.of(props)) {
                List<String> actions = IamStatements.actions(st).stream().filter(a -> a.startsWith("dynamodb:")).toList();
                if (actions.isEmpty()) continue;
                assertThat(IamStatements.actions(st)).as(stage + ": dynamodb actions alone").hasSameSizeAs(actions);
                assertThat(IamStatements.resources(st)).as(stage + ": the table alone")
                        .containsExactly(Map.of("Fn::GetAtt", List.of(table, "Arn")));
                @SuppressWarnings("unchecked")
                Map<String, Object> condition = (Map<String, Object>) ((Map<String, Object>) st.get("Condition"))
                        .get("ForAllValues:StringLike");
                assertThat(condition).as(stage + ": LeadingKeys condition").isNotNull();
                Object keys = condition.get("dynamodb:LeadingKeys");
                String prefix = keys instanceof List<?> l && l.size() == 1 ? String.valueOf(l.get(0)) : String.valueOf(keys);
                List<String> names = new ArrayList<>(out.getOrDefault(prefix, List.of()));
                for (String a : actions) names.add(a.substring("dynamodb:".length()));
                out.put(prefix, names.stream().sorted().toList());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Map<String, Object> managedPolicy(String constructId) {
        return InfraStackTest.props(synth.resources("AWS::IAM::ManagedPolicy").get(id("AWS::IAM::ManagedPolicy", constructId)));
    }

    private String id(String type, String constructId) {
        List<String> ids = synth.resources(type).keySet().stream().filter(k -> k.startsWith(constructId)).toList();
        assertThat(ids).as(type + " " + constructId).hasSize(1);
        return ids.get(0);
    }

    private String roleRefs(String roleConstructId) {
        return String.valueOf(List.of(Map.of("Ref", id("AWS::IAM::Role", roleConstructId))));
    }

    private static List<Map<String, Object>> envs(Synth.Result result) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var fn : result.resources("AWS::Lambda::Function").values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) InfraStackTest.props(fn)
                    .get("Environment")).get("Variables");
            out.add(env);
        }
        return out;
    }

    /** The key patterns after the bucket ARN of a statement's object resources ({"Fn::Join": ["", [arn, "/x/*"]]}). */
    @SuppressWarnings("unchecked")
    private static List<String> objectPatterns(Map<String, Object> st) {
        List<String> out = new ArrayList<>();
        for (Object r : IamStatements.resources(st)) {
            List<Object> parts = (List<Object>) ((List<Object>) ((Map<String, Object>) r).get("Fn::Join")).get(1);
            out.add(String.valueOf(parts.get(1)));
        }
        return out;
    }

    private static List<String> objectPatternsOrEmpty(Map<String, Object> st) {
        try {
            return objectPatterns(st);
        } catch (RuntimeException notAnObjectArn) {
            return List.of();
        }
    }
}
