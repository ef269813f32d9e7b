package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.pipeline.StageNames;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The deployed definition is the committed ASL file with every ${...} bound, and nothing bound that it lacks. */
class AslSubstitutionTest {
    private final Synth.Result synth = Synth.defaults();
    private final AslDefinition asl = AslDefinition.read(Synth.ROOT.resolve("statemachine/batchline-run.asl.json"));

    @Test
    void everyPlaceholderHasASubstitutionAndViceVersa() {
        Map<String, Object> subs = stateMachineProps().get("DefinitionSubstitutions") instanceof Map<?, ?> m
                ? cast(m) : Map.of();
        assertThat(asl.placeholders()).isNotEmpty();
        assertThat(subs.keySet()).isEqualTo(asl.placeholders());
    }

    @Test
    void eachSubstitutionIsTheLiveAliasOfTheNamedFunction() {
        Map<String, Object> subs = cast((Map<?, ?>) stateMachineProps().get("DefinitionSubstitutions"));
        for (var e : subs.entrySet()) {
            Stage stage = BatchlineStack.stageOf(e.getKey());
            String aliasId = synth.resources("AWS::Lambda::Alias").keySet().stream()
                    .filter(id -> id.startsWith(stage.camel() + "Live")).findFirst().orElseThrow();
            assertThat(e.getValue()).as(e.getKey()).isEqualTo(Map.of("Ref", aliasId));
        }
    }

    @Test
    void theDefinitionIsTheCommittedFileWithNoOtherPlaceholders() {
        String body = String.valueOf(stateMachineProps().get("DefinitionString"));
        assertThat(body).isEqualTo(asl.json());
        // what CloudFormation will substitute is exactly the ${...} set above: no stray token is left
        assertThat(Pattern.compile("\\$\\{").matcher(body).results().count())
                .isEqualTo(Pattern.compile("\\$\\{[A-Za-z]+FunctionArn}").matcher(body).results().count());
    }

    @Test
    void stateMachineMayInvokeExactlyTheFunctionsItNames() {
        Set<Stage> named = new java.util.HashSet<>();
        for (String p : asl.placeholders()) named.add(BatchlineStack.stageOf(p));
        String smRole = synth.resources("AWS::IAM::Role").keySet().stream()
                .filter(id -> id.startsWith("RunStateMachineRole")).findFirst().orElseThrow();
        List<Object> invoked = new java.util.ArrayList<>();
        for (Map<String, Object> policy : synth.resources("AWS::IAM::Policy").values()) {
            Map<String, Object> props = InfraStackTest.props(policy);
            if (!props.get("Roles").equals(List.of(Map.of("Ref", smRole)))) continue;
            for (Map<String, Object> st : IamStatements.of(props)) {
                if (IamStatements.actions(st).contains("lambda:InvokeFunction")) invoked.addAll(IamStatements.resources(st));
            }
        }
        assertThat(invoked).hasSize(named.size());
    }

    @Test
    void theDefinitionNamesExactlyTheStateMachineStages() {
        Set<String> named = new java.util.TreeSet<>();
        for (String p : asl.placeholders()) named.add(BatchlineStack.stageOf(p).handler);
        assertThat(named).containsExactlyInAnyOrderElementsOf(StageNames.STATE_MACHINE_STAGES);
    }

    @Test
    void anUnknownFunctionPlaceholderIsRefused() {
        assertThatThrownBy(() -> BatchlineStack.stageOf("ReticulateFunctionArn"))
                .hasMessageContaining("reticulate");
        // a stage with a function, but one the state machine never invokes
        assertThatThrownBy(() -> BatchlineStack.stageOf("CancelFunctionArn")).hasMessageContaining("cancel");
        assertThatThrownBy(() -> BatchlineStack.stageOf("ExecutionEndedFunctionArn"))
                .hasMessageContaining("execution-ended");
        assertThat(AslDefinition.stageOf("MarkFailedFunctionArn")).isEqualTo("mark-failed");
        assertThat(AslDefinition.placeholderOf("mark-failed")).isEqualTo("MarkFailedFunctionArn");
    }

    private Map<String, Object> stateMachineProps() {
        return InfraStackTest.props(synth.resources("AWS::StepFunctions::StateMachine").values().iterator().next());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
