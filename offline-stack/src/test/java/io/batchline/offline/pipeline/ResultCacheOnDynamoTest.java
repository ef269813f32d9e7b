package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.aws.dynamodb.DynamoResultCache;
import io.batchline.cache.CachedAnswer;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The result cache's store on a real DynamoDB (dynalite or LocalStack): its conditional put keeps the answer stored
 * last, a lookup reads back what was stored with stored_at and expires_at, and takes at most a hundred hashes (one
 * BatchGetItem). The cache's use by the stages is tested on the in-memory ports (ResultCacheTest in test-support).
 */
class ResultCacheOnDynamoTest {

    private static CachedAnswer answer(String json, String runId, long storedAt) {
        return new CachedAnswer(Json.tree(json.getBytes(StandardCharsets.UTF_8)), runId, "a1-l7", storedAt);
    }

    @Test
    void aPutKeepsTheAnswerStoredLastAndALookupReadsItBackWithItsTimes() throws Exception {
        try (StageFixture f = new StageFixture(b -> b)) {
            DynamoResultCache cache = new DynamoResultCache(f.dynamoClient, StageFixture.TABLE);
            // GIVEN an answer stored at 200
            assertThat(cache.put("h1", answer("{\"team\":\"billing\"}", "run-b", 200), 900)).isTrue();

            // WHEN a run that answered earlier (at 100) stores its answer late, and the same age is stored again
            boolean older = cache.put("h1", answer("{\"team\":\"other\"}", "run-a", 100), 800);
            boolean sameAge = cache.put("h1", answer("{\"team\":\"billing\"}", "run-b", 200), 1000);

            // THEN the older answer did not replace the newer one; the same age refreshed its expiry
            assertThat(older).isFalse();
            assertThat(sameAge).isTrue();
            Map<String, CachedAnswer> found = cache.getAll(List.of("h1", "h-missing"));
            assertThat(found).containsOnlyKeys("h1");
            assertThat(found.get("h1")).isEqualTo(answer("{\"team\":\"billing\"}", "run-b", 200));
            Map<String, AttributeValue> item = f.dynamoClient.getItem(b -> b.tableName(StageFixture.TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("CACHE#h1"), "sk", AttributeValue.fromS("RESULT")))).item();
            assertThat(item.get("stored_at").n()).isEqualTo("200");
            assertThat(item.get("expires_at").n()).isEqualTo("1000");

            // AND a lookup of more hashes than one BatchGetItem takes is refused before any call
            List<String> tooMany = new ArrayList<>();
            for (int i = 0; i <= DynamoResultCache.MAX_KEYS_PER_LOOKUP; i++) tooMany.add("h" + i);
            assertThatThrownBy(() -> cache.getAll(tooMany)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
