package io.batchline.offline.teststack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which AWS stack the integration tests talk to, from {@code -Dbatchline.stack=offline|localstack} (default
 * offline) and, for LocalStack, the environment: {@code LOCALSTACK_IMAGE} overrides the pinned image,
 * {@code LOCALSTACK_AUTH_TOKEN} is passed through to the container when set.
 */
public record StackSelection(Kind kind, String image, String authToken) {
    public enum Kind { OFFLINE, LOCALSTACK }

    public static final String PROPERTY = "batchline.stack";
    public static final String IMAGE_ENV = "LOCALSTACK_IMAGE";
    public static final String AUTH_TOKEN_ENV = "LOCALSTACK_AUTH_TOKEN";
    /**
     * Pinned: the last 4.x release; the calendar-versioned images after it want an auth token. A mirror or a newer
     * tag comes in through LOCALSTACK_IMAGE.
     */
    public static final String PINNED_IMAGE = "localstack/localstack:4.14.0";
    /** The services the tests use; nothing else is started in the container. */
    public static final List<String> SERVICES = List.of("s3", "sqs", "dynamodb", "stepfunctions");

    public StackSelection {
        Objects.requireNonNull(kind, "kind");
    }

    /** The selection of this test JVM: surefire passes -D properties of the Maven command line through. */
    public static StackSelection current() {
        return from(System.getProperty(PROPERTY), System.getenv());
    }

    /**
     * @param property the value of -Dbatchline.stack (null or blank: offline)
     * @throws IllegalArgumentException for any other value, naming the valid ones
     */
    public static StackSelection from(String property, Map<String, String> env) {
        String value = property == null ? "" : property.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "", "offline":
                return new StackSelection(Kind.OFFLINE, null, null);
            case "localstack":
                String image = blankToNull(env.get(IMAGE_ENV));
                return new StackSelection(Kind.LOCALSTACK, image != null ? image : PINNED_IMAGE,
                        blankToNull(env.get(AUTH_TOKEN_ENV)));
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + property + " is not a stack the tests know: "
                        + "use offline (the default: the emulators in local/, no Docker) or localstack "
                        + "(LocalStack through Testcontainers, needs a Docker engine)");
        }
    }

    public boolean isLocalStack() {
        return kind == Kind.LOCALSTACK;
    }

    /** The container's environment: the services to start, path-style queue URLs, and the token when one is set. */
    public Map<String, String> containerEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        // queue URLs of the form http://host:port/queue/<region>/<account>/<name>: no *.localstack.cloud DNS needed
        env.put("SQS_ENDPOINT_STRATEGY", "path");
        if (authToken != null) env.put(AUTH_TOKEN_ENV, authToken);
        return env;
    }

    /** For messages: never prints the token itself. */
    @Override
    public String toString() {
        return kind == Kind.OFFLINE ? "offline stack"
                : "LocalStack " + image + (authToken != null ? " (with LOCALSTACK_AUTH_TOKEN)" : "");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
