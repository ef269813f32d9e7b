package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a newest-first list as the API pages its lists (batches, models): {@code limit} items after the
 * item at {@code afterIndex}, or before the one at {@code beforeIndex}, as {@code {data, has_more, first_id,
 * last_id}} (the ids null on an empty page).
 */
final class ListPage {
    private ListPage() {}

    /** @param afterIndex the after_id's position, or -1; @param beforeIndex the before_id's, or -1 (not both) */
    static <T> ObjectNode of(List<T> all, int afterIndex, int beforeIndex, int limit, Function<T, String> id,
                             Function<T, JsonNode> json) {
        int from = 0;
        int to;
        boolean hasMore;
        if (beforeIndex >= 0) {
            to = beforeIndex;
            from = Math.max(0, to - limit);
            hasMore = from > 0;
        } else {
            if (afterIndex >= 0) from = afterIndex + 1;
            to = Math.min(all.size(), from + limit);
            hasMore = to < all.size();
        }
        ObjectNode page = Json.MAPPER.createObjectNode();
        ArrayNode data = page.putArray("data");
        for (T item : all.subList(from, to)) data.add(json.apply(item));
        page.put("has_more", hasMore);
        if (from < to) {
            page.put("first_id", id.apply(all.get(from)));
            page.put("last_id", id.apply(all.get(to - 1)));
        } else {
            page.putNull("first_id");
            page.putNull("last_id");
        }
        return page;
    }
}
