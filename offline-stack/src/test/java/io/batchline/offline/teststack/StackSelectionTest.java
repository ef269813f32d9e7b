package io.batchline.offline.teststack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.utility.DockerImageName;

/** The stack switch and the LocalStack container setup; needs no Docker (nothing is started). */
class StackSelectionTest {
    private static final DockerImageName LOCALSTACK = DockerImageName.parse("localstack/localstack");

    @Test
    void withoutTheSwitchTheTestsUseTheOfflineStack() {
        assertThat(StackSelection.from(null, Map.of()).kind()).isEqualTo(StackSelection.Kind.OFFLINE);
        assertThat(StackSelection.from("", Map.of()).kind()).isEqualTo(StackSelection.Kind.OFFLINE);
        assertThat(StackSelection.from("offline", Map.of(StackSelection.IMAGE_ENV, "x/y:1")))
                .isEqualTo(new StackSelection(StackSelection.Kind.OFFLINE, null, null));
    }

    @Test
    void localstackSelectsThePinnedImageWithTheTestServicesAndNoToken() {
        StackSelection s = StackSelection.from("localstack", Map.of());

        assertThat(s.isLocalStack()).isTrue();
        assertThat(s.image()).isEqualTo(StackSelection.PINNED_IMAGE).matches("localstack/localstack:\\d+\\.\\d+\\.\\d+");
        assertThat(s.authToken()).isNull();
        assertThat(s.containerEnv()).doesNotContainKey(StackSelection.AUTH_TOKEN_ENV);

        TestStack.ContainerSetup setup = TestStack.containerSetup(s);
        assertThat(setup.image().asCanonicalNameString()).isEqualTo(StackSelection.PINNED_IMAGE);
        assertThat(setup.image().isCompatibleWith(LOCALSTACK)).isTrue();
        assertThat(setup.services()).containsExactlyInAnyOrder("s3", "sqs", "dynamodb", "stepfunctions");
        assertThat(setup.env()).containsEntry("SQS_ENDPOINT_STRATEGY", "path")
                .doesNotContainKey(StackSelection.AUTH_TOKEN_ENV);
    }

    @Test
    void localstackImageOverridesThePinAndTheAuthTokenIsPassedThroughButNeverPrinted() {
        StackSelection s = StackSelection.from(" localstack ", Map.of(
                StackSelection.IMAGE_ENV, "mirror.example.com/localstack/localstack-pro:2026.11.0",
                StackSelection.AUTH_TOKEN_ENV, "ls-secret-token"));

        assertThat(s.image()).isEqualTo("mirror.example.com/localstack/localstack-pro:2026.11.0");
        TestStack.ContainerSetup setup = TestStack.containerSetup(s);
        assertThat(setup.image().asCanonicalNameString())
                .isEqualTo("mirror.example.com/localstack/localstack-pro:2026.11.0");
        // the mirror's name still passes the LocalStack module's image check
        assertThat(setup.image().isCompatibleWith(LOCALSTACK)).isTrue();
        assertThat(setup.env()).containsEntry(StackSelection.AUTH_TOKEN_ENV, "ls-secret-token");
        assertThat(s.toString()).contains("with LOCALSTACK_AUTH_TOKEN").doesNotContain("ls-secret-token");
    }

    @Test
    void aBlankImageOrTokenCountsAsUnset() {
        StackSelection s = StackSelection.from("localstack", Map.of(StackSelection.IMAGE_ENV, " ",
                StackSelection.AUTH_TOKEN_ENV, ""));
        assertThat(s.image()).isEqualTo(StackSelection.PINNED_IMAGE);
        assertThat(s.authToken()).isNull();
    }

    @Test
    void anUnknownStackIsRefusedNamingTheValidOnes() {
        assertThatThrownBy(() -> StackSelection.from("localstak", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("-Dbatchline.stack=localstak is not a stack the tests know")
                .hasMessageContaining("offline")
                .hasMessageContaining("localstack");
    }

    @Test
    void localstackWithoutDockerFailsFastWithTheReasonAndTheWayOut() {
        StackSelection s = StackSelection.from("localstack", Map.of());

        assertThatThrownBy(() -> TestStack.requireUsable(s, () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("-Dbatchline.stack=localstack needs a Docker engine for LocalStack "
                        + StackSelection.PINNED_IMAGE)
                .hasMessageContaining("Testcontainers found none")
                .hasMessageContaining("without -Dbatchline.stack on the offline stack");
        // with an engine it passes
        TestStack.requireUsable(s, () -> true);
    }

    @Test
    void anOfflineSelectionHasNoContainer() {
        assertThatThrownBy(() -> TestStack.containerSetup(StackSelection.from("offline", Map.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theOfflineStackNeverAsksForDocker() {
        TestStack.requireUsable(StackSelection.from(null, Map.of()), () -> {
            throw new AssertionError("the offline stack must not look for Docker");
        });
    }
}
