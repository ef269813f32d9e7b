package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cli.Target;
import io.batchline.json.Json;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@code ./batchline local review [--run RUN_ID] [--job NAME] [--state DIR]} ({@code ./batchline review --target FILE
 * ...}): shows the review queue's items (all, one
 * run's or one job's: messages carry the job in their body and a {@code job} attribute) to a person.
 * It only looks: messages are received with a visibility timeout and not deleted, so they stay on the
 * queue for the review tool that consumes them (and are visible again after {@link #LOOK_SECONDS}).
 */
public final class ReviewCommand {
    /** How long a message shown here stays hidden from other consumers. */
    static final int LOOK_SECONDS = 30;
    private final PrintStream out;

    ReviewCommand(PrintStream out) {
        this.out = out;
    }

    /** One queue message, parsed. */
    public record ReviewItem(String runId, String job, String id, long line, Double confidence, String reason,
                             JsonNode output, int receiveCount) {}

    int run(String runId, String job, Target target, int max) throws Exception {
        String of = (runId == null ? "" : " of run " + runId) + (job == null ? "" : " of job " + job);
        String queueUrl = target.names().reviewQueueUrl();
        List<ReviewItem> items = read(target.sqs(), queueUrl, runId, job, max);
        if (items.isEmpty()) {
            out.println("batchline: the review queue holds no items" + of
                    + " (items shown in the last " + LOOK_SECONDS + " s are hidden until then)");
            return 0;
        }
        out.printf("%nReview queue %s: %d item(s)%s%n", queueUrl, items.size(), of);
        for (ReviewItem i : items) {
            out.printf("%n  %s%s  line %d  id %s  confidence %s%s%n", i.runId(),
                    i.job() == null ? "" : " (job " + i.job() + ")", i.line(), i.id(),
                    i.confidence() == null ? "-" : String.format(Locale.ROOT, "%.2f", i.confidence()),
                    i.receiveCount() > 1 ? "  (seen " + (i.receiveCount() - 1) + " time(s) before)" : "");
            out.println("    why:    " + i.reason());
            out.println("    output: " + (i.output() == null ? "-" : Json.string(i.output())));
        }
        out.println();
        out.println("These messages stay on the queue for your review tool; they are hidden for "
                + LOOK_SECONDS + " s after being shown.");
        return 0;
    }

    /**
     * Receives until the queue answers empty (or {@code max} items), keeping those of {@code runId} (all when
     * null). Messages are not deleted; a message seen twice in one look is shown once.
     */
    public static List<ReviewItem> read(SqsClient sqs, String queueUrl, String runId, int max) {
        return read(sqs, queueUrl, runId, null, max);
    }

    /** The same keeping only {@code job}'s items too (all when null): its {@code job} attribute, else its body's. */
    public static List<ReviewItem> read(SqsClient sqs, String queueUrl, String runId, String job, int max) {
        List<ReviewItem> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (items.size() < max) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).visibilityTimeout(LOOK_SECONDS).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
            if (batch.isEmpty()) break;
            boolean any = false;
            for (Message m : batch) {
                if (!seen.add(m.messageId())) continue;
                any = true;
                JsonNode body = Json.tree(m.body().getBytes(StandardCharsets.UTF_8));
                String run = body.path("run_id").asText();
                if (runId != null && !runId.equals(run)) continue;
                var attribute = m.messageAttributes().get("job");
                String itsJob = attribute != null ? attribute.stringValue() : body.path("job").asText(null);
                if (job != null && !job.equals(itsJob)) continue;
                JsonNode confidence = body.path("confidence");
                items.add(new ReviewItem(run, itsJob, body.path("id").asText(), body.path("line").asLong(),
                        confidence.isNumber() ? confidence.asDouble() : null, body.path("reason").asText(),
                        body.path("output").isMissingNode() || body.path("output").isNull() ? null : body.get("output"),
                        Integer.parseInt(m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                "1"))));
                if (items.size() >= max) break;
            }
            if (!any) break;
        }
        return items;
    }
}
