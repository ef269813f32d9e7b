package io.batchline.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The batch provider as the stages and commands use it: Message Batches (create, retrieve, list, cancel,
 * results), token counting, a synchronous message and model information. Failures are {@link ProviderException}s.
 */
public interface BatchProvider {

    /**
     * Creates a batch from a JSONL shard, one {@code {"custom_id","params"}} object a line.
     *
     * <p>A create whose outcome is unknown is never retried blindly: it throws {@link AmbiguousCreateException}
     * and the caller reconciles with {@link #listSince} (a batch created since the attempt with this shard's
     * request count) before creating again.
     *
     * @param requestCount  number of lines in the shard
     * @param jsonlBytes    exact size of the shard in bytes
     * @param requestsJsonl opens the shard; may be called once per attempt
     * @throws AmbiguousCreateException when a batch may or may not have been created
     * @throws ProviderException        on a definite failure (invalid request, too large, auth, ...)
     */
    MessageBatch create(long requestCount, long jsonlBytes, Supplier<InputStream> requestsJsonl);

    MessageBatch retrieve(String batchId);

    /** Batches created at or after {@code since}, newest first. This is how a lost create is reconciled. */
    List<MessageBatch> listSince(Instant since);

    /** Asks the provider to cancel; the batch goes through {@code canceling} to {@code ended}. */
    MessageBatch cancel(String batchId);

    /**
     * The raw results JSONL of an ended batch, to save as is or walk with {@link ResultReader}; the caller closes
     * it.
     */
    InputStream results(String batchId);

    /** Input tokens of {@code params} (a Messages API request). */
    long countTokens(ObjectNode params);

    /** One synchronous Messages call (for pre-flight checks), returning the message object. */
    JsonNode message(ObjectNode params);

    /** What the provider says about the model an id or alias names; an unknown model is a NOT_FOUND failure. */
    ProviderModelInfo model(String idOrAlias);

    /** Where the provider is reached, as reports name it (the API's base URL). */
    String endpoint();
}
