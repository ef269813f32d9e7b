package io.batchline.offline.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.offline.teststack.OfflineStackOnly;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Keys as long as S3 takes them (1,024 UTF-8 bytes, segments of any length) on the offline stack's S3, in memory
 * and on disk, where file names are limited to 255 bytes: every object call, listings with their paging, grouping
 * and order, multipart uploads, restarts on the same state dir, and state dirs written before.
 */
@OfflineStackOnly("tests the offline stack's own S3 (S3Proxy as configured by S3Emulator, its --state persistence)")
class S3EmulatorLongKeysTest {
    static final String B120 = "b".repeat(120);

    /** Normal and long keys side by side, so that the long ones must sort in among the others. */
    static final List<String> LISTED_KEYS = List.of(
            "runs/a.jsonl",
            "runs/" + "b".repeat(150) + ".jsonl",
            "runs/" + B120 + "/x.jsonl",
            "runs/" + B120 + "/" + "y".repeat(300),
            "runs/bb/short.jsonl",
            "runs/c.jsonl",
            "runs/" + "d".repeat(300) + "/" + "e".repeat(300) + "/f.jsonl",
            "runs/~long~plain.jsonl",
            "inbox/" + "é".repeat(200) + ".jsonl",
            "inbox/f.jsonl",
            "inbox/日本/" + "語".repeat(100),
            "top-" + "t".repeat(250),
            "top.jsonl");

    static final List<String> LISTED_PREFIXES = List.of("", "runs/", "runs/b", "runs/bb", "runs/" + B120,
            "runs/" + B120 + "/", "runs/" + "b".repeat(130), "runs/" + "d".repeat(300) + "/", "runs/~long~",
            "inbox/", "inbox/é", "top", "nothing/");

    @TempDir
    static Path stateDir;
    static S3Emulator memory;
    static S3Emulator disk;
    static S3Client memoryClient;
    static S3Client diskClient;

    @BeforeAll
    static void start() throws Exception {
        memory = S3Emulator.start(0, null);
        disk = S3Emulator.start(0, stateDir.resolve("s3"));
        memoryClient = AwsClientsForLocal.s3(memory.endpoint());
        diskClient = AwsClientsForLocal.s3(disk.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {memoryClient, diskClient, memory, disk}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static S3Client client(String store) {
        return store.equals("memory") ? memoryClient : diskClient;
    }

    static String newBucket(S3Client c, String name) {
        c.createBucket(b -> b.bucket(name));
        return name;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void longKeysArePutReadHeadCopiedAndDeleted(String store) {
        S3Client c = client(store);
        String bucket = newBucket(c, "objects-" + store);
        List<String> keys = List.of(
                "inbox/ticket-triage/" + "t".repeat(300) + ".jsonl",
                "runs/" + "r".repeat(200) + "/" + "s".repeat(240) + "/out.jsonl",
                "runs/" + "r".repeat(300) + "/" + "s".repeat(300) + "/" + "u".repeat(300),
                "données/" + "é".repeat(150) + "/" + "🙂".repeat(60),
                "~long~" + "0".repeat(64),
                "k".repeat(1024),
                "a".repeat(100) + "/" + "b".repeat(101) + "/" + "c".repeat(821));
        assertThat(keys.get(5).getBytes(StandardCharsets.UTF_8).length).isEqualTo(1024);
        assertThat(keys.get(6).getBytes(StandardCharsets.UTF_8).length).isEqualTo(1024);
        for (String key : keys) {
            String body = "{\"key\":\"" + key.length() + "\"}\n";
            c.putObject(b -> b.bucket(bucket).key(key).contentType("application/x-ndjson")
                    .metadata(Map.of("origin", "test")), RequestBody.fromString(body));
            assertThat(c.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String()).isEqualTo(body);
            var head = c.headObject(b -> b.bucket(bucket).key(key));
            assertThat(head.contentLength()).isEqualTo(body.length());
            assertThat(head.contentType()).isEqualTo("application/x-ndjson");
            assertThat(head.metadata()).containsEntry("origin", "test");

            String longCopy = "long-copies/" + "c".repeat(300) + "/" + key.length();
            String shortCopy = "copies/" + key.length();
            String copyOfShortCopy = "again/" + "d".repeat(400);
            c.copyObject(b -> b.sourceBucket(bucket).sourceKey(key).destinationBucket(bucket).destinationKey(longCopy));
            assertThat(c.getObjectAsBytes(b -> b.bucket(bucket).key(longCopy)).asUtf8String()).isEqualTo(body);
            c.copyObject(b -> b.sourceBucket(bucket).sourceKey(longCopy).destinationBucket(bucket)
                    .destinationKey(shortCopy));
            c.copyObject(b -> b.sourceBucket(bucket).sourceKey(shortCopy).destinationBucket(bucket)
                    .destinationKey(copyOfShortCopy));
            assertThat(c.getObjectAsBytes(b -> b.bucket(bucket).key(copyOfShortCopy)).asUtf8String()).isEqualTo(body);
            assertThat(c.headObject(b -> b.bucket(bucket).key(copyOfShortCopy)).metadata())
                    .containsEntry("origin", "test");

            assertThat(keysOf(c, bucket, null)).containsExactlyInAnyOrder(key, longCopy, shortCopy, copyOfShortCopy);
            for (String k : List.of(key, longCopy, shortCopy, copyOfShortCopy)) {
                c.deleteObject(b -> b.bucket(bucket).key(k));
            }
            assertThatThrownBy(() -> c.headObject(b -> b.bucket(bucket).key(key)))
                    .isInstanceOf(NoSuchKeyException.class);
            assertThatThrownBy(() -> c.getObjectAsBytes(b -> b.bucket(bucket).key(key)))
                    .isInstanceOf(NoSuchKeyException.class);
        }
        assertThat(keysOf(c, bucket, null)).isEmpty();
        c.deleteBucket(b -> b.bucket(bucket));
    }

    /**
     * Every prefix, with and without the delimiter, paged by 1, 3 and 1,000 keys, by ListObjectsV2 (continuation
     * tokens, and start-after) and ListObjects (markers): the same entries as S3 would give, in S3's order.
     */
    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void listingsOfLongKeysFollowS3OrderPrefixDelimiterAndPaging(String store) {
        S3Client c = client(store);
        String bucket = newBucket(c, "listing-" + store);
        for (String key : LISTED_KEYS) {
            c.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
        }
        for (String prefix : LISTED_PREFIXES) {
            for (String delimiter : new String[] {null, "/"}) {
                List<String> expected = expectedListing(LISTED_KEYS, prefix, delimiter);
                String what = "prefix \"" + prefix + "\", delimiter " + delimiter;
                for (int maxKeys : new int[] {1, 3, 1000}) {
                    assertThat(listV2(c, bucket, prefix, delimiter, maxKeys, null)).as(what + ", V2 by " + maxKeys)
                            .containsExactlyElementsOf(expected);
                    assertThat(listV1(c, bucket, prefix, delimiter, maxKeys)).as(what + ", V1 by " + maxKeys)
                            .containsExactlyElementsOf(expected);
                }
                for (int i = 0; i < expected.size(); i++) {
                    String startAfter = expected.get(i);
                    assertThat(listV2(c, bucket, prefix, delimiter, 2, startAfter))
                            .as(what + ", start-after " + startAfter)
                            .containsExactlyElementsOf(expected.subList(i + 1, expected.size()));
                }
            }
        }
        // a start-after that is not itself listed, inside a long segment
        assertThat(listV2(c, bucket, "runs/", null, 2, "runs/" + "b".repeat(130)))
                .containsExactly("runs/" + "b".repeat(150) + ".jsonl", "runs/c.jsonl",
                        "runs/" + "d".repeat(300) + "/" + "e".repeat(300) + "/f.jsonl", "runs/~long~plain.jsonl");
        // the SDK's own paginator, as the pipeline lists
        assertThat(c.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("runs/").maxKeys(2)).contents().stream()
                .map(S3Object::key).toList()).containsExactlyElementsOf(expectedListing(LISTED_KEYS, "runs/", null));
        // listed sizes are the objects' own
        assertThat(c.listObjectsV2(b -> b.bucket(bucket).prefix("top-")).contents())
                .singleElement().satisfies(o -> assertThat(o.size()).isEqualTo(254L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void multipartUploadsTakeLongKeys(String store) {
        S3Client c = client(store);
        String bucket = newBucket(c, "multipart-" + store);
        String key = "runs/" + "r".repeat(300) + "/" + "o".repeat(600) + ".jsonl";
        byte[] part1 = filled(5 * 1024 * 1024, (byte) 'a');
        byte[] part2 = filled(1234, (byte) 'b');

        String uploadId = c.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType("application/x-ndjson"))
                .uploadId();
        String abandoned = c.createMultipartUpload(b -> b.bucket(bucket).key(key + "-abandoned")).uploadId();
        assertThat(c.listMultipartUploads(b -> b.bucket(bucket)).uploads()).extracting(MultipartUpload::key)
                .containsExactlyInAnyOrder(key, key + "-abandoned");
        List<CompletedPart> parts = new ArrayList<>();
        int partNumber = 1;
        for (byte[] part : List.of(part1, part2)) {
            int n = partNumber++;
            String eTag = c.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(n),
                    RequestBody.fromBytes(part)).eTag();
            parts.add(CompletedPart.builder().partNumber(n).eTag(eTag).build());
        }
        assertThat(c.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts()).hasSize(2);
        var done = c.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
        assertThat(done.key()).isEqualTo(key);
        assertThat(done.eTag()).endsWith("-2\"");
        c.abortMultipartUpload(b -> b.bucket(bucket).key(key + "-abandoned").uploadId(abandoned));
        assertThat(c.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();

        byte[] all = c.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        assertThat(Arrays.copyOfRange(all, 0, part1.length)).isEqualTo(part1);
        assertThat(Arrays.copyOfRange(all, part1.length, all.length)).isEqualTo(part2);
        assertThat(c.headObject(b -> b.bucket(bucket).key(key)).contentType()).isEqualTo("application/x-ndjson");
        assertThat(keysOf(c, bucket, "runs/")).containsExactly(key);

        // a part copied from a long key into an upload to another long key
        String copyKey = "copies/" + "p".repeat(500);
        String copyUpload = c.createMultipartUpload(b -> b.bucket(bucket).key(copyKey)).uploadId();
        String copiedTag = c.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(key).destinationBucket(bucket)
                .destinationKey(copyKey).uploadId(copyUpload).partNumber(1)).copyPartResult().eTag();
        c.completeMultipartUpload(b -> b.bucket(bucket).key(copyKey).uploadId(copyUpload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(copiedTag).build())));
        assertThat(c.getObjectAsBytes(b -> b.bucket(bucket).key(copyKey)).asByteArray()).isEqualTo(all);
    }

    /** The pipeline's own writer: a large output streams out as a multipart upload under its long key. */
    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void thePipelinesObjectStoreWritesAndListsLongKeys(String store) throws Exception {
        S3Client c = client(store);
        var objects = new S3ObjectStore(c, newBucket(c, "pipeline-" + store));
        String key = "runs/" + "r".repeat(250) + "/outputs/" + "item-".repeat(60) + "1.jsonl";
        byte[] line = "{\"id\":1,\"text\":\"lorem ipsum\"}\n".getBytes(StandardCharsets.UTF_8);
        long written = 0;
        try (OutputStream out = objects.create(key, "application/x-ndjson")) {
            while (written < 9 * 1024 * 1024) { // more than one part of S3ObjectStore's 8 MiB
                out.write(line);
                written += line.length;
            }
        }
        long size = written;
        assertThat(objects.head(key)).hasValueSatisfying(info -> {
            assertThat(info.size()).isEqualTo(size);
            assertThat(info.etag()).endsWith("-2\"");
        });
        try (InputStream in = objects.open(key)) {
            assertThat(in.readAllBytes()).hasSize((int) size);
        }
        assertThat(objects.list("runs/" + "r".repeat(250) + "/")).containsExactly(key);
        objects.delete(key);
        assertThat(objects.list("runs/")).isEmpty();
    }

    @Test
    void longKeysSurviveARestartOnTheSameStateDir(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("s3");
        List<String> expected;
        try (S3Emulator first = S3Emulator.start(0, state); S3Client c = AwsClientsForLocal.s3(first.endpoint())) {
            c.createBucket(b -> b.bucket("durable"));
            for (String key : LISTED_KEYS) {
                c.putObject(b -> b.bucket("durable").key(key), RequestBody.fromString(key));
            }
            expected = listV2(c, "durable", "runs/", "/", 1000, null);
        }
        try (S3Emulator second = S3Emulator.start(0, state); S3Client c = AwsClientsForLocal.s3(second.endpoint())) {
            for (String key : LISTED_KEYS) {
                assertThat(c.getObjectAsBytes(b -> b.bucket("durable").key(key)).asUtf8String()).isEqualTo(key);
            }
            assertThat(listV2(c, "durable", null, null, 2, null))
                    .containsExactlyElementsOf(expectedListing(LISTED_KEYS, "", null));
            assertThat(listV2(c, "durable", "runs/", "/", 1, null)).isEqualTo(expected)
                    .containsExactlyElementsOf(expectedListing(LISTED_KEYS, "runs/", "/"));
            for (String key : LISTED_KEYS) {
                c.deleteObject(b -> b.bucket("durable").key(key));
            }
            assertThat(keysOf(c, "durable", null)).isEmpty();
            c.deleteBucket(b -> b.bucket("durable"));
            assertThat(c.listBuckets().buckets()).isEmpty();
            assertThat(state.resolve(".batchline-long-key-segments/directories/durable")).doesNotExist();
        }
    }

    /** The state dir keeps normal keys under their own names, as before, and long segments under hashed names. */
    @Test
    void normalKeysKeepTheirFileNamesOnDisk(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("s3");
        String segment100 = "n".repeat(100);
        String segment101 = "n".repeat(101);
        try (S3Emulator s3 = S3Emulator.start(0, state); S3Client c = AwsClientsForLocal.s3(s3.endpoint())) {
            c.createBucket(b -> b.bucket("layout"));
            for (String key : List.of("runs/r1/manifest.json", "runs/" + segment100 + "/" + segment100,
                    "runs/" + segment101 + "/" + segment101)) {
                c.putObject(b -> b.bucket("layout").key(key), RequestBody.fromString("{}"));
            }
            assertThat(c.listBuckets().buckets()).extracting(Bucket::name).containsExactly("layout");
        }
        assertThat(state.resolve("layout/runs/r1/manifest.json")).hasContent("{}");
        assertThat(state.resolve("layout/runs/" + segment100 + "/" + segment100)).hasContent("{}");
        String hashed = "~long~" + LongKeySegments.sha256Hex(segment101);
        assertThat(state.resolve("layout/runs/" + hashed + "/" + hashed)).hasContent("{}");
        assertThat(state.resolve(".batchline-long-key-segments/segments/" + LongKeySegments.sha256Hex(segment101)))
                .hasContent(segment101);
        try (Stream<Path> files = Files.walk(state.resolve("layout"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .allSatisfy(name -> assertThat(name.getBytes(StandardCharsets.UTF_8).length)
                            .isLessThanOrEqualTo(100));
        }
    }

    /**
     * A state dir written before long segments were stored by hash holds segments of 101 to 255 bytes under their
     * own names; the first start renames them, and every key stays readable and listed under its own name.
     */
    @Test
    void stateWrittenBeforeStaysReadable(@TempDir Path dir) throws Exception {
        Path state = Files.createDirectories(dir.resolve("s3"));
        String longDirectory = "runs/" + "d".repeat(200) + "/";
        List<String> keys = List.of("runs/r1/manifest.json", longDirectory + "f".repeat(200) + ".jsonl",
                longDirectory + "short.jsonl", "inbox/" + "é".repeat(100) + ".jsonl");
        var before = new FilesystemNio2BlobStore(state.toString());
        before.createContainer("legacy");
        for (String key : keys) {
            byte[] body = key.getBytes(StandardCharsets.UTF_8);
            before.putBlob(PutObjectRequest.builder().bucket("legacy").key(key).contentLength((long) body.length)
                    .contentType("text/plain").build(), new ByteArrayInputStream(body));
        }
        assertThat(state.resolve("legacy/" + longDirectory + "f".repeat(200) + ".jsonl")).exists();

        for (int start = 0; start < 2; start++) {
            try (S3Emulator s3 = S3Emulator.start(0, state); S3Client c = AwsClientsForLocal.s3(s3.endpoint())) {
                for (String key : keys) {
                    assertThat(c.getObjectAsBytes(b -> b.bucket("legacy").key(key)).asUtf8String()).isEqualTo(key);
                    assertThat(c.headObject(b -> b.bucket("legacy").key(key)).contentType()).isEqualTo("text/plain");
                }
                assertThat(listV2(c, "legacy", null, null, 1, null))
                        .containsExactlyElementsOf(expectedListing(keys, "", null));
                assertThat(listV2(c, "legacy", longDirectory, "/", 1, null))
                        .containsExactlyElementsOf(expectedListing(keys, longDirectory, "/"));
            }
        }
        assertThat(state.resolve("legacy/runs/r1/manifest.json")).exists();
        assertThat(state.resolve("legacy/" + longDirectory)).doesNotExist();
    }

    /** Records lost from the state dir: reads by key still work, listings fail with a 500 rather than mislead. */
    @Test
    void aStateDirThatLostItsRecordsFailsListingsLoudly(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("s3");
        String key = "runs/" + "r".repeat(300) + ".jsonl";
        try (S3Emulator first = S3Emulator.start(0, state); S3Client c = AwsClientsForLocal.s3(first.endpoint())) {
            c.createBucket(b -> b.bucket("lost"));
            c.putObject(b -> b.bucket("lost").key(key), RequestBody.fromString("{}"));
        }
        try (Stream<Path> records = Files.list(state.resolve(".batchline-long-key-segments/segments"))) {
            for (Path record : records.toList()) {
                Files.delete(record);
            }
        }
        try (S3Emulator second = S3Emulator.start(0, state); S3Client c = AwsClientsForLocal.s3(second.endpoint())) {
            assertThat(c.getObjectAsBytes(b -> b.bucket("lost").key(key)).asUtf8String()).isEqualTo("{}");
            // a bare request: the SDK would retry the 500 six times
            HttpResponse<String> listing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    second.endpoint().resolve("/lost?list-type=2&prefix=runs/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(listing.statusCode()).isEqualTo(500);
        }
    }

    @Test
    void eventsForLongKeysNameTheOriginalKey() {
        List<String> events = new CopyOnWriteArrayList<>();
        disk.addNotification("events/", null, events::add);
        String bucket = newBucket(diskClient, "events");
        String key = "events/" + "v".repeat(400) + ".jsonl";
        diskClient.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("{}"));
        // one per PUT that reached the store: an SDK retry of a PUT whose answer was late (a loaded machine) is a
        // second PUT and a second event, as in S3, whose event delivery is at least once anyway
        assertThat(events).isNotEmpty().allSatisfy(event -> {
            var object = new ObjectMapper().readTree(event).get("Records").get(0).get("s3").get("object");
            assertThat(URLDecoder.decode(object.get("key").asText(), StandardCharsets.UTF_8)).isEqualTo(key);
            assertThat(object.get("size").asLong()).isEqualTo(2);
        });
    }

    // ---- what S3 answers, computed from the keys alone

    static final Comparator<String> S3_ORDER =
            Comparator.comparing(k -> k.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

    /** The keys and common prefixes (each ending with the delimiter) S3 lists, in its order. */
    static List<String> expectedListing(List<String> keys, String prefix, String delimiter) {
        TreeMap<String, Boolean> entries = new TreeMap<>(S3_ORDER);
        for (String key : keys) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            int cut = delimiter == null ? -1 : key.indexOf(delimiter, prefix.length());
            entries.put(cut < 0 ? key : key.substring(0, cut + delimiter.length()), true);
        }
        return List.copyOf(entries.keySet());
    }

    static List<String> listV2(S3Client c, String bucket, String prefix, String delimiter, int maxKeys,
                               String startAfter) {
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = c.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).delimiter(delimiter)
                    .maxKeys(maxKeys).startAfter(startAfter).continuationToken(continuation));
            assertThat(page.contents().size() + page.commonPrefixes().size()).isLessThanOrEqualTo(maxKeys);
            names.addAll(inPageOrder(page.contents(), page.commonPrefixes()));
            token = page.nextContinuationToken();
            assertThat(page.isTruncated()).isEqualTo(token != null);
        } while (token != null);
        return names;
    }

    static List<String> listV1(S3Client c, String bucket, String prefix, String delimiter, int maxKeys) {
        List<String> names = new ArrayList<>();
        String marker = null;
        while (true) {
            String from = marker;
            ListObjectsResponse page = c.listObjects(b -> b.bucket(bucket).prefix(prefix).delimiter(delimiter)
                    .maxKeys(maxKeys).marker(from));
            List<String> pageNames = inPageOrder(page.contents(), page.commonPrefixes());
            names.addAll(pageNames);
            if (!page.isTruncated()) {
                return names;
            }
            marker = page.nextMarker() != null ? page.nextMarker() : pageNames.get(pageNames.size() - 1);
        }
    }

    /** A page's keys and common prefixes merged in S3 order (each list is in that order already). */
    static List<String> inPageOrder(List<S3Object> contents, List<CommonPrefix> commonPrefixes) {
        List<String> names = new ArrayList<>();
        contents.forEach(o -> names.add(o.key()));
        commonPrefixes.forEach(p -> names.add(p.prefix()));
        assertThat(contents.stream().map(S3Object::key).toList()).isSortedAccordingTo(S3_ORDER);
        assertThat(commonPrefixes.stream().map(CommonPrefix::prefix).toList()).isSortedAccordingTo(S3_ORDER);
        names.sort(S3_ORDER);
        return names;
    }

    static List<String> keysOf(S3Client c, String bucket, String prefix) {
        return c.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
    }

    static byte[] filled(int size, byte value) {
        byte[] b = new byte[size];
        Arrays.fill(b, value);
        b[0] = (byte) (value + 1);
        b[size - 1] = (byte) (value + 2);
        return b;
    }
}
