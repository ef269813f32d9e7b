package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The outputs ./batchline deploy turns into the operator's target file: region, bucket, table, state machine,
 * review queue and the cancel function, each from the resource it names.
 */
class InfraTargetOutputsTest {
    private final Synth.Result synth = Synth.defaults();

    @Test
    void theStackOutputsEverythingATargetFileNames() {
        for (String output : List.of("Region", "BucketName", "TableName", "StateMachineArn", "ReviewQueueUrl",
                "CancelFunctionArn")) {
            assertThat(synth.template().findOutputs(output)).as(output).hasSize(1);
        }
        assertThat(value("Region")).isEqualTo(Map.of("Ref", "AWS::Region"));
        assertThat(synth.resources("AWS::StepFunctions::StateMachine")).containsKey(reference("StateMachineArn"));
        assertThat(synth.resources("AWS::SQS::Queue")).containsKey(reference("ReviewQueueUrl"));
        assertThat(reference("ReviewQueueUrl")).startsWith("Review");
        assertThat(synth.resources("AWS::DynamoDB::Table")).containsKey(reference("TableName"));
        assertThat(synth.resources("AWS::S3::Bucket")).containsKey(reference("BucketName"));
    }

    private Object value(String output) {
        return synth.template().findOutputs(output).values().iterator().next().get("Value");
    }

    /** The logical id of the resource an output's value refers to ({"Ref": id}). */
    private String reference(String output) {
        Object value = value(output);
        assertThat(value).as(output).isInstanceOf(Map.class);
        return String.valueOf(((Map<?, ?>) value).get("Ref"));
    }
}
