package io.batchline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `./batchline synth` and `deploy` run, recorded instead of started (no AWS account here). */
class DeployCommandTest {
    @TempDir
    Path home;
    final List<List<String>> commands = new ArrayList<>();
    final List<Map<String, String>> envs = new ArrayList<>();
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    SynthCommand.Processes recorder(int exitCode) {
        return (cmd, dir, env) -> {
            commands.add(cmd);
            envs.add(env);
            return exitCode;
        };
    }

    @Test
    void noCredentialsFailsFastWithoutSynthOrCdk() throws Exception {
        builtInfra();
        DeployCommand deploy = new DeployCommand(new PrintStream(printed), recorder(0),
                (profile, region) -> "Unable to load credentials from any of the providers in the chain");
        assertThatThrownBy(() -> deploy.run(home, DeployCommand.Options.parse(new String[] {"deploy"}, 1)))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("no AWS credentials").hasMessageContaining("aws configure");
        assertThat(commands).isEmpty();
    }

    @Test
    void deploySynthesizesThenRunsTheProjectsCdkOnTheAssembly() throws Exception {
        builtInfra();
        Files.createDirectories(home.resolve("infra/node_modules/.bin"));
        Files.writeString(home.resolve(DeployCommand.CDK), "#!/bin/sh\n");
        List<String> seenProfile = new ArrayList<>();
        DeployCommand deploy = new DeployCommand(new PrintStream(printed), recorder(0), (profile, region) -> {
            seenProfile.add(profile);
            return null;
        });

        int code = deploy.run(home, DeployCommand.Options.parse(new String[] {"deploy", "--profile", "prod",
                "--region", "eu-west-1", "--require-approval", "never", "-c", "native=true"}, 1));

        assertThat(code).isZero();
        assertThat(seenProfile).containsExactly("prod");
        assertThat(commands).hasSize(2);
        assertThat(commands.get(0)).contains("io.batchline.infra.BatchlineApp", "native=true");
        assertThat(commands.get(1)).containsExactly(home.resolve(DeployCommand.CDK).toString(), "deploy", "--all",
                "--app", "infra/cdk.out", "--profile", "prod", "--require-approval", "never",
                "--outputs-file", DeployCommand.STACK_OUTPUTS);
        assertThat(envs.get(1)).containsEntry("AWS_REGION", "eu-west-1").containsEntry("AWS_DEFAULT_REGION", "eu-west-1");
    }

    @Test
    void deployWritesTheTargetFileFromTheStacksOutputs() throws Exception {
        builtInfra();
        Files.createDirectories(home.resolve("infra/node_modules/.bin"));
        Files.writeString(home.resolve(DeployCommand.CDK), "#!/bin/sh\n");
        SynthCommand.Processes cdk = (cmd, dir, env) -> {
            commands.add(cmd);
            if (cmd.contains("deploy")) {
                Files.writeString(dir.resolve(DeployCommand.STACK_OUTPUTS), """
                        {"Batchline": {"Region": "eu-west-1", "BucketName": "b", "TableName": "t",
                         "StateMachineArn": "arn:aws:states:eu-west-1:1:stateMachine:batchline-run",
                         "ReviewQueueUrl": "https://sqs/q",
                         "CancelFunctionArn": "arn:aws:lambda:eu-west-1:1:function:c:live",
                         "DashboardUrl": "https://d"}}""");
            }
            return 0;
        };
        DeployCommand deploy = new DeployCommand(new PrintStream(printed, true), cdk, (p, r) -> null);

        assertThat(deploy.run(home, DeployCommand.Options.parse(new String[] {"deploy"}, 1))).isZero();

        Path target = home.resolve(DeployCommand.TARGET_FILE);
        assertThat(TargetFile.read(target).names()).isEqualTo(new Target.Names("eu-west-1", "b", "t",
                "arn:aws:states:eu-west-1:1:stateMachine:batchline-run", "https://sqs/q",
                "arn:aws:lambda:eu-west-1:1:function:c:live"));
        assertThat(printed.toString()).contains("./batchline status --target " + target);
    }

    @Test
    void deployWithoutOutputsSaysHowToWriteTheTargetFile() throws Exception {
        builtInfra();
        Files.createDirectories(home.resolve("infra/node_modules/.bin"));
        Files.writeString(home.resolve(DeployCommand.CDK), "#!/bin/sh\n");
        DeployCommand deploy = new DeployCommand(new PrintStream(printed, true), recorder(0), (p, r) -> null);

        assertThat(deploy.run(home, DeployCommand.Options.parse(new String[] {"deploy"}, 1))).isZero();

        assertThat(home.resolve(DeployCommand.TARGET_FILE)).doesNotExist();
        assertThat(printed.toString()).contains("no target file was written").contains("operating-in-aws.md");
    }

    @Test
    void aMissingCdkCliIsInstalledFromTheLockFileFirst() throws Exception {
        builtInfra();
        DeployCommand deploy = new DeployCommand(new PrintStream(printed), recorder(0), (p, r) -> null);

        deploy.run(home, DeployCommand.Options.parse(new String[] {"deploy", "--bootstrap"}, 1));

        assertThat(commands).extracting(c -> c.get(0) + " " + c.get(1)).containsExactly(
                commands.get(0).get(0) + " " + commands.get(0).get(1), "npm ci",
                home.resolve(DeployCommand.CDK) + " bootstrap", home.resolve(DeployCommand.CDK) + " deploy");
    }

    @Test
    void aFailedSynthStopsTheDeploy() throws Exception {
        builtInfra();
        DeployCommand deploy = new DeployCommand(new PrintStream(printed), recorder(1), (p, r) -> null);
        assertThat(deploy.run(home, DeployCommand.Options.parse(new String[] {"deploy"}, 1))).isEqualTo(1);
        assertThat(commands).hasSize(1);
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThatThrownBy(() -> DeployCommand.Options.parse(new String[] {"deploy", "--require-approval", "maybe"}, 1))
                .isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> SynthCommand.context(new String[] {"synth", "-c", "novalue"}, 1))
                .isInstanceOf(UsageException.class);
        assertThat(SynthCommand.context(new String[] {"synth", "-c", "jobs=a:0.1:5", "--context", "native=true"}, 1))
                .containsExactly("jobs=a:0.1:5", "native=true");
    }

    private void builtInfra() throws Exception {
        Files.createDirectories(home.resolve("infra/target/lib"));
        Files.writeString(home.resolve("infra/target/batchline-infra.jar"), "");
    }
}
