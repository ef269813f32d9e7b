package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.batchline.offline.OfflineStack;
import io.batchline.offline.lambda.LocalFunction;
import io.batchline.offline.lambda.StageFunctionHost;
import io.batchline.provider.anthropic.Sleeper;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The stage handlers of this artifact called in the test's JVM instead of one packaged process per function: the
 * same handler classes, wired by the same {@link Stages} producers from the environment a packaged function gets,
 * with payloads read and written as the Quarkus Lambda runtime does. It saves each test stack the start of a JVM per
 * function, which is most of what the end-to-end tests spend; the tests about the artifact itself (`local run`,
 * the chaos suite, the functions under the runtime interface client, the metered AWS cost) keep the processes.
 *
 * <p>One wiring serves all the stages of a stack (where each packaged function has its own, with its own clients),
 * built when the stack registers its first stage. The process-wide setting a function's wiring makes (the stage
 * meter) is this JVM's while the stack runs, so two such stacks must not run at once in one JVM; the tests run
 * their stacks one after another. The stage meter counts concurrent invocations together here: a report's
 * {@code aws_cost} is a function process's figure only with the packaged functions.
 */
public final class StagesInThisJvm implements StageFunctionHost {
    /** As quarkus-amazon-lambda reads and writes payloads: Quarkus's mapper, lenient on unknown and case. */
    private static final ObjectMapper PAYLOADS = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .findAndAddModules()
            .build();
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    /** Waits out the provider client's time between attempts (its backoff, the provider's retry-after). */
    private final Sleeper providerWaits;
    private Map<String, String> wiredEnv;
    private Map<String, RequestHandler<Object, Object>> handlers;

    /** Options for a stack whose stages run in this JVM. */
    public static OfflineStack.Options in(OfflineStack.Options options) {
        return options.withStageFunctions(new StagesInThisJvm());
    }

    /**
     * Options for a stack whose stages run in this JVM, the provider client's waits between attempts (its backoff,
     * the provider's retry-after) lasting {@code providerWaitScale} of their time: for tests whose point is what
     * the retries do rather than how long they wait, as {@link OfflineStack.Options#withRetryIntervalScale} is for
     * the state machine's.
     */
    public static OfflineStack.Options in(OfflineStack.Options options, double providerWaitScale) {
        if (!(providerWaitScale > 0 && providerWaitScale <= 1)) {
            throw new IllegalArgumentException("providerWaitScale must be in (0, 1]: " + providerWaitScale);
        }
        return options.withStageFunctions(new StagesInThisJvm(
                d -> Sleeper.REAL.sleep(Duration.ofNanos((long) (d.toNanos() * providerWaitScale)))));
    }

    /** The provider client waits in real time (also how {@link StageFunctionHost#fromSystemProperty} builds it). */
    public StagesInThisJvm() {
        this(Sleeper.REAL);
    }

    private StagesInThisJvm(Sleeper providerWaits) {
        this.providerWaits = providerWaits;
    }

    /**
     * On a test class ({@code @ExtendWith(StagesInThisJvm.ForCommands.class)}): while its tests run, the stacks the
     * commands start in this JVM ({@code local run}, {@code rerun}) answer the stages here too.
     */
    public static final class ForCommands implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            System.setProperty(StageFunctionHost.PROPERTY, StagesInThisJvm.class.getName());
        }

        @Override
        public void afterAll(ExtensionContext context) {
            System.clearProperty(StageFunctionHost.PROPERTY);
        }
    }

    @Override
    public synchronized LocalFunction function(String stage, Map<String, String> env) {
        if (handlers == null) {
            handlers = wire(env);
            wiredEnv = env;
        } else if (!wiredEnv.equals(env)) {
            throw new IllegalStateException("one StagesInThisJvm serves one stack: " + stage
                    + " has another environment");
        }
        RequestHandler<Object, Object> handler = handlers.get(stage);
        if (handler == null) throw new IllegalStateException("no handler named " + stage + " in " + handlers.keySet());
        Class<?> inputType = inputType(handler.getClass());
        String functionName = OfflineStack.functionName(stage);
        return payload -> {
            Object input;
            try {
                input = PAYLOADS.readValue(payload.length == 0 ? "null".getBytes(StandardCharsets.UTF_8) : payload,
                        inputType);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the payload of " + functionName + " as " + inputType, e);
            }
            Object output = handler.handleRequest(input, InvokeContext.start(functionName));
            try {
                return PAYLOADS.writeValueAsBytes(output);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the answer of " + functionName, e);
            }
        };
    }

    /**
     * The process-wide settings the wiring made go back to a plain JVM's, so the stage meter of a later test in
     * this JVM does not write to this stack's stopped DynamoDB.
     */
    @Override
    public synchronized void close() {
        if (handlers == null) return;
        io.batchline.cost.StageMeter.use(null);
        handlers = null;
    }

    /** Every {@code @Named} handler of the artifact, its {@code @Inject} fields set by the {@link Stages} producers. */
    @SuppressWarnings("unchecked")
    private Map<String, RequestHandler<Object, Object>> wire(Map<String, String> env) {
        Producers producers = new Producers(new Stages(env, providerWaits));
        Map<String, RequestHandler<Object, Object>> byStage = new HashMap<>();
        for (Class<?> c : handlerClasses()) {
            try {
                Object handler = c.getDeclaredConstructor().newInstance();
                for (Field f : c.getDeclaredFields()) {
                    if (!f.isAnnotationPresent(Inject.class)) continue;
                    f.setAccessible(true);
                    f.set(handler, producers.get(f.getType()));
                }
                byStage.put(c.getAnnotation(Named.class).value(), (RequestHandler<Object, Object>) handler);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot wire " + c.getName(), e);
            }
        }
        return byStage;
    }

    /** The beans the {@code @Produces} methods of {@link Stages} make, each made once, parameters by type. */
    private static final class Producers {
        private final Stages stages;
        private final Map<Class<?>, Object> made = new HashMap<>();

        Producers(Stages stages) {
            this.stages = stages;
        }

        Object get(Class<?> type) throws ReflectiveOperationException {
            Object bean = made.get(type);
            if (bean != null) return bean;
            for (Method m : Stages.class.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(Produces.class) || !type.isAssignableFrom(m.getReturnType())) continue;
                Object[] args = new Object[m.getParameterCount()];
                for (int i = 0; i < args.length; i++) args[i] = get(m.getParameterTypes()[i]);
                m.setAccessible(true);
                bean = m.invoke(stages, args);
                made.put(type, bean);
                return bean;
            }
            throw new IllegalStateException("no producer in Stages for " + type.getName());
        }
    }

    /** The handler classes compiled into this package (a classes directory or the module's jar). */
    private static List<Class<?>> handlerClasses() {
        List<Class<?>> out = new ArrayList<>();
        for (String name : classNamesOfThisPackage()) {
            try {
                Class<?> c = Class.forName(name);
                if (RequestHandler.class.isAssignableFrom(c) && c.isAnnotationPresent(Named.class)
                        && !Modifier.isAbstract(c.getModifiers())) {
                    out.add(c);
                }
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        if (out.isEmpty()) throw new IllegalStateException("no handler classes found next to " + Stages.class);
        return out;
    }

    private static List<String> classNamesOfThisPackage() {
        String dir = Stages.class.getPackageName().replace('.', '/') + "/";
        try {
            Path root = Path.of(Stages.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Stream<String> entries;
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.list(root.resolve(dir))) {
                    entries = files.map(f -> dir + f.getFileName()).toList().stream();
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    entries = jar.stream().map(e -> e.getName()).toList().stream();
                }
            }
            return entries.filter(n -> n.startsWith(dir) && n.endsWith(".class") && !n.contains("$")
                            && n.indexOf('/', dir.length()) < 0)
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.')).toList();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the classes of " + dir, e);
        }
    }

    /** The input type of {@code handleRequest}, as the runtime reads it from the handler's declared method. */
    private static Class<?> inputType(Class<?> handler) {
        for (Method m : handler.getMethods()) {
            if (m.getName().equals("handleRequest") && !m.isBridge() && m.getParameterCount() == 2
                    && m.getParameterTypes()[1] == Context.class) {
                return m.getParameterTypes()[0];
            }
        }
        throw new IllegalStateException("no handleRequest in " + handler.getName());
    }

    /** What a handler asks of its invocation: an id and the time left of the function's 15 minutes. */
    private record InvokeContext(String functionName, String requestId, long startedNanos) implements Context {
        static InvokeContext start(String functionName) {
            return new InvokeContext(functionName, "in-jvm-" + UUID.randomUUID(), System.nanoTime());
        }

        @Override public String getAwsRequestId() { return requestId; }
        @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
        @Override public String getLogStreamName() { return "in-jvm"; }
        @Override public String getFunctionName() { return functionName; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() {
            return io.batchline.offline.lambda.LambdaHost.functionArn(functionName);
        }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() {
            return (int) Math.max(0, TIMEOUT.toMillis() - (System.nanoTime() - startedNanos) / 1_000_000);
        }
        @Override public int getMemoryLimitInMB() { return 512; }
        @Override public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override public void log(String message) { System.out.println(message); }
                @Override public void log(byte[] message) {
                    System.out.println(new String(message, StandardCharsets.UTF_8));
                }
            };
        }
    }
}
