package io.batchline.offline.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.offline.teststack.OfflineStackOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@OfflineStackOnly("tests how the offline stack's on-disk S3 names long key segments")
class LongKeySegmentsTest {
    static final String HASHED = "~long~[0-9a-f]{64}";

    @Test
    void keysWithSegmentsOfUpTo100BytesAreStoredUnchanged() {
        for (String key : new String[] {"", "/", "runs/r1/manifest.json", "a//b/", "x".repeat(100),
                "é".repeat(50) + "/" + "日".repeat(33), "🙂".repeat(25), "runs/not~long~/x",
                "x".repeat(100) + "/"}) {
            assertThat(LongKeySegments.isStoredUnderAnotherName(key)).as(key).isFalse();
            assertThat(LongKeySegments.storedKey(key)).isSameAs(key);
        }
    }

    @Test
    void longerSegmentsAndSegmentsStartingWithTheMarkerAreStoredByHash() {
        assertThat(LongKeySegments.storedKey("x".repeat(101))).matches(HASHED);
        assertThat(LongKeySegments.storedKey("é".repeat(51))).matches(HASHED); // 102 bytes in 51 chars
        assertThat(LongKeySegments.storedKey("🙂".repeat(26))).matches(HASHED); // 104 bytes
        assertThat(LongKeySegments.storedKey("~long~x")).matches(HASHED);
        String stored = LongKeySegments.storedKey("runs/" + "r".repeat(300) + "/r1/" + "o".repeat(101) + "/");
        String[] parts = stored.split("/", -1);
        assertThat(parts).hasSize(5);
        assertThat(parts[0]).isEqualTo("runs");
        assertThat(parts[1]).matches(HASHED).isEqualTo("~long~" + LongKeySegments.sha256Hex("r".repeat(300)));
        assertThat(parts[2]).isEqualTo("r1");
        assertThat(parts[3]).matches(HASHED);
        assertThat(parts[4]).isEmpty();
        assertThat(LongKeySegments.storedKey("runs/" + "r".repeat(300) + "/other"))
                .startsWith("runs/" + parts[1] + "/");
    }

    @Test
    void recordedKeysComeBackAfterAReopen(@TempDir Path root) throws Exception {
        String key = "runs/" + "r".repeat(300) + "/" + "~long~plain" + "/" + "é".repeat(300);
        String stored = LongKeySegments.openIn(root).recordKeyForWrite("bucket", key);
        assertThat(stored).isEqualTo(LongKeySegments.storedKey(key));
        LongKeySegments reopened = LongKeySegments.openIn(root);
        assertThat(reopened.originalKey(stored)).isEqualTo(key);
        assertThat(reopened.originalKey(stored.substring(0, stored.lastIndexOf('/') + 1)))
                .isEqualTo(key.substring(0, key.lastIndexOf('/') + 1));
        assertThat(reopened.hasLongNamesDirectlyIn("bucket", "runs/")).isTrue();
        assertThat(reopened.hasLongNamesDirectlyIn("bucket", "")).isFalse();
        assertThat(reopened.hasLongNamesUnder("bucket", "")).isTrue();
        assertThat(reopened.hasLongNamesUnder("bucket", "inbox/")).isFalse();
        assertThat(reopened.hasLongNamesUnder("other", "")).isFalse();

        reopened.forgetBucket("bucket");
        assertThat(reopened.hasLongNamesUnder("bucket", "")).isFalse();
        assertThat(LongKeySegments.openIn(root).hasLongNamesUnder("bucket", "")).isFalse();
        assertThat(LongKeySegments.openIn(root).originalKey(stored)).isEqualTo(key); // segments stay
    }

    @Test
    void aStoredNameWithoutItsRecordFailsLoudly(@TempDir Path root) throws Exception {
        LongKeySegments segments = LongKeySegments.openIn(root);
        String unrecorded = LongKeySegments.storedKey("x/" + "y".repeat(200));
        assertThatThrownBy(() -> segments.originalKey(unrecorded))
                .isInstanceOf(LongKeySegments.BrokenRecordsException.class)
                .hasMessageContaining("no record of the original key segment");
        assertThatThrownBy(() -> segments.originalKey("x/~long~not-a-hash"))
                .isInstanceOf(LongKeySegments.BrokenRecordsException.class)
                .hasMessageContaining("did not write");

        String stored = segments.recordKeyForWrite("b", "z".repeat(200));
        Files.writeString(root.resolve(".batchline-long-key-segments/segments")
                .resolve(stored.substring("~long~".length())), "tampered");
        assertThatThrownBy(() -> LongKeySegments.openIn(root).originalKey(stored))
                .isInstanceOf(LongKeySegments.BrokenRecordsException.class)
                .hasMessageContaining("does not hold the segment");
    }
}
