package io.batchline.provider;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One page of {@code GET /v1/messages/batches}, newest first. {@code lastId} is the {@code after_id} of the
 * next (older) page, {@code firstId} the {@code before_id} of the previous (newer) one.
 */
public record BatchPage(
        @JsonProperty("data") List<MessageBatch> data,
        @JsonProperty("has_more") boolean hasMore,
        @JsonProperty("first_id") String firstId,
        @JsonProperty("last_id") String lastId) {

    public BatchPage {
        data = data == null ? List.of() : List.copyOf(data);
    }
}
