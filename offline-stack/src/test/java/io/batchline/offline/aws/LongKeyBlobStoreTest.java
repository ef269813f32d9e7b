package io.batchline.offline.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.offline.teststack.OfflineStackOnly;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** LongKeyBlobStore against S3Proxy's in-memory store, watching what reaches it. */
@OfflineStackOnly("tests the offline stack's on-disk S3 long-key mapping")
class LongKeyBlobStoreTest {
    static final String BUCKET = "bucket";
    static final String LONG_DIRECTORY = "runs/" + "d".repeat(200) + "/";

    @TempDir
    Path root;
    RecordingBlobStore backend;
    LongKeyBlobStore store;

    @BeforeEach
    void setUp() throws Exception {
        backend = new RecordingBlobStore(new TransientNio2BlobStore());
        store = new LongKeyBlobStore(backend, LongKeySegments.openIn(root));
        store.createContainer(BUCKET);
        for (String key : List.of("runs/r1/a.jsonl", "runs/r1/b.jsonl", "inbox/" + "l".repeat(200),
                LONG_DIRECTORY + "x.jsonl", LONG_DIRECTORY + "y.jsonl")) {
            put(key);
        }
    }

    @Test
    void listingsWithoutLongNamesInRangePassStraightThrough() {
        for (ListObjectsV2Request request : List.of(
                list("runs/r1/").maxKeys(1).build(),
                list("runs/r1/").maxKeys(1).continuationToken("runs/r1/a.jsonl").build(),
                list("runs/r1/").delimiter("/").maxKeys(1000).build(),
                list(null).delimiter("/").maxKeys(1000).build(),
                list("run").delimiter("/").startAfter("runs/r0").maxKeys(2).build())) {
            backend.listed.clear();
            store.list(request);
            assertThat(backend.listed).as(request.toString()).containsExactly(request);
        }
    }

    @Test
    void listingsWithLongNamesInRangeReadTheDirectoryWholeAndPageThemselves() {
        backend.listed.clear();
        ListObjectsV2Response page = store.list(list("inbox/").maxKeys(1).build());
        assertThat(backend.listed).singleElement().satisfies(whole -> {
            assertThat(whole.prefix()).isEqualTo("inbox/");
            assertThat(whole.maxKeys()).isNull();
            assertThat(whole.continuationToken()).isNull();
        });
        assertThat(page.contents()).extracting(S3Object::key).containsExactly("inbox/" + "l".repeat(200));
        assertThat(page.nextContinuationToken()).isNull();

        backend.listed.clear();
        page = store.list(list(null).maxKeys(2).build());
        assertThat(backend.listed).singleElement().satisfies(whole -> assertThat(whole.prefix()).isNull());
        assertThat(page.contents()).extracting(S3Object::key)
                .containsExactly("inbox/" + "l".repeat(200), "runs/" + "d".repeat(200) + "/x.jsonl");
        assertThat(page.nextContinuationToken()).isEqualTo("runs/" + "d".repeat(200) + "/x.jsonl");
        assertThat(page.isTruncated()).isTrue();
    }

    /** Under a long directory with nothing long below it, S3Proxy still pages, under the stored directory. */
    @Test
    void aLongDirectoryIsListedUnderItsStoredName() {
        String storedDirectory = LongKeySegments.storedKey(LONG_DIRECTORY);
        backend.listed.clear();
        ListObjectsV2Response first = store.list(list(LONG_DIRECTORY).maxKeys(1).build());
        assertThat(backend.listed).singleElement().satisfies(r -> {
            assertThat(r.prefix()).isEqualTo(storedDirectory);
            assertThat(r.maxKeys()).isEqualTo(1);
        });
        assertThat(first.contents()).extracting(S3Object::key).containsExactly(LONG_DIRECTORY + "x.jsonl");
        assertThat(first.nextContinuationToken()).isEqualTo(LONG_DIRECTORY + "x.jsonl");

        ListObjectsV2Response second = store.list(list(LONG_DIRECTORY).maxKeys(1)
                .continuationToken(first.nextContinuationToken()).build());
        assertThat(second.contents()).extracting(S3Object::key).containsExactly(LONG_DIRECTORY + "y.jsonl");
        assertThat(second.nextContinuationToken()).isNull();

        assertThat(store.list(list("runs/").delimiter("/").build()).commonPrefixes()).extracting(CommonPrefix::prefix)
                .containsExactly(LONG_DIRECTORY, "runs/r1/");
        assertThat(store.list(list(LONG_DIRECTORY).startAfter("runs/zzz").build()).contents()).isEmpty();
        assertThat(store.list(list(LONG_DIRECTORY).startAfter("runs/a").build()).contents()).hasSize(2);
    }

    @Test
    void objectsStreamThroughUnbuffered() {
        InputStream content = new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8));
        store.putBlob(PutObjectRequest.builder().bucket(BUCKET).key("inbox/" + "s".repeat(300)).contentLength(2L)
                .build(), content);
        assertThat(backend.lastPutContent).isSameAs(content);
        assertThat(backend.lastPutKey).isEqualTo(LongKeySegments.storedKey("inbox/" + "s".repeat(300)));
    }

    @Test
    void theRecordsDirectoryIsNoBucketAndVersionListingsAreRefused() throws Exception {
        backend.createContainer(LongKeySegments.DIRECTORY_NAME); // as the on-disk store would show it
        assertThat(store.list().buckets()).extracting(b -> b.name()).containsExactly(BUCKET);
        assertThatThrownBy(() -> store.listVersions(
                software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest.builder().bucket(BUCKET).build()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private void put(String key) {
        byte[] body = key.getBytes(StandardCharsets.UTF_8);
        store.putBlob(PutObjectRequest.builder().bucket(BUCKET).key(key).contentLength((long) body.length).build(),
                new ByteArrayInputStream(body));
    }

    private static ListObjectsV2Request.Builder list(String prefix) {
        return ListObjectsV2Request.builder().bucket(BUCKET).prefix(prefix);
    }

    static final class RecordingBlobStore extends ForwardingBlobStore {
        final List<ListObjectsV2Request> listed = new ArrayList<>();
        InputStream lastPutContent;
        String lastPutKey;

        RecordingBlobStore(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public ListObjectsV2Response list(ListObjectsV2Request request) {
            listed.add(request);
            return super.list(request);
        }

        @Override
        public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
            lastPutContent = content;
            lastPutKey = request.key();
            return super.putBlob(request, content);
        }
    }
}
