package io.batchline.offline.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test function run under the RIC in a child JVM. Echoes its input wrapped with facts about its
 * environment; {"exit":N} halts the JVM, {"sleep_ms":N} sleeps first.
 */
public class EchoHandler implements RequestStreamHandler {
    private static final long STARTED = System.nanoTime();
    private static int invocations;

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String in = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        invocations++;
        System.out.println("EchoHandler got " + in);
        Matcher exit = Pattern.compile("\"exit\"\\s*:\\s*(\\d+)").matcher(in);
        if (exit.find()) {
            System.out.println("EchoHandler exiting with " + exit.group(1));
            System.out.flush();
            Runtime.getRuntime().halt(Integer.parseInt(exit.group(1)));
        }
        Matcher sleep = Pattern.compile("\"sleep_ms\"\\s*:\\s*(\\d+)").matcher(in);
        if (sleep.find()) {
            try {
                Thread.sleep(Long.parseLong(sleep.group(1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        String out = "{\"echo\":" + in
            + ",\"function\":\"" + System.getenv("AWS_LAMBDA_FUNCTION_NAME") + "\""
            + ",\"request_id\":\"" + context.getAwsRequestId() + "\""
            + ",\"arn\":\"" + context.getInvokedFunctionArn() + "\""
            + ",\"remaining_ms\":" + context.getRemainingTimeInMillis()
            + ",\"memory\":" + context.getMemoryLimitInMB()
            + ",\"extra\":\"" + System.getenv("EXTRA_SETTING") + "\""
            + ",\"pid\":" + ProcessHandle.current().pid()
            + ",\"invocations\":" + invocations
            + ",\"jvm_nanos\":" + STARTED + "}";
        output.write(out.getBytes(StandardCharsets.UTF_8));
    }
}
