package io.batchline.offline.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How keys are named on disk when a key segment (the text between two slashes) is too long for a file name,
 * and the durable records that map such names back.
 *
 * <p>S3Proxy's file-system store keeps each key segment as one file or directory name and writes an object through
 * a temporary file named {@code <last segment>-<UUID>}, and a multipart upload through names that add about 85
 * bytes more; file systems refuse names over 255 bytes (some, such as eCryptfs, over 143). So a segment longer than
 * {@link #MAX_STORED_SEGMENT_BYTES} UTF-8 bytes is stored as {@link #STORED_NAME_MARKER} followed by the SHA-256 hex
 * of the segment; so is a segment that itself starts with the marker, which keeps every stored name unambiguous.
 * Every other segment is stored unchanged, as S3Proxy always stored it.
 *
 * <p>The records live under {@link #DIRECTORY_NAME} in S3Proxy's root, a name no bucket can have (bucket names
 * cannot start with a dot), so they persist with the objects across restarts on the same state dir:
 * <ul>
 *   <li>{@code segments/<sha256 hex>} holds the original segment, UTF-8; written before any object that uses it,
 *       never removed (it is content-addressed, so every bucket and key shares it);</li>
 *   <li>{@code directories/<bucket>/<sha256 hex of a stored directory path>} holds that path (as stored, ending
 *       with a slash, empty for the bucket's top level) for each directory that holds a stored long name, so a
 *       listing can tell whether it may pass straight to S3Proxy; removed with the bucket.</li>
 * </ul>
 */
final class LongKeySegments {
    /** Segments up to this many UTF-8 bytes are stored under their own name. */
    static final int MAX_STORED_SEGMENT_BYTES = 100;
    /** Starts every stored name of a long segment, followed by 64 lowercase hex digits. */
    static final String STORED_NAME_MARKER = "~long~";
    /** The records' directory in S3Proxy's root; hidden from the bucket list. */
    static final String DIRECTORY_NAME = ".batchline-long-key-segments";

    private static final Logger log = LoggerFactory.getLogger(LongKeySegments.class);
    private static final int SHA256_HEX_LENGTH = 64;
    private static final String LEGACY_NAMES_RENAMED = "legacy-long-names-renamed";
    /** S3Proxy's own bookkeeping for multipart uploads, named after the key but not a key segment. */
    private static final String S3PROXY_MULTIPART_PREFIX = ".mpus-";

    private final Path segmentsDir;
    private final Path directoriesDir;
    private final Map<String, String> originalByHash = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> directoriesByBucket = new ConcurrentHashMap<>();

    private LongKeySegments(Path recordsDir) {
        this.segmentsDir = recordsDir.resolve("segments");
        this.directoriesDir = recordsDir.resolve("directories");
    }

    /**
     * The records of the store rooted at s3ProxyRoot. The first time (per state dir) it also renames, in place,
     * any name an earlier version stored unchanged although it is now stored by hash (a segment of 101 to 255
     * bytes), so state dirs written before keep every object reachable under its key.
     */
    static LongKeySegments openIn(Path s3ProxyRoot) throws IOException {
        Path recordsDir = s3ProxyRoot.resolve(DIRECTORY_NAME);
        LongKeySegments segments = new LongKeySegments(recordsDir);
        Path renamedMark = recordsDir.resolve(LEGACY_NAMES_RENAMED);
        if (!Files.exists(renamedMark)) {
            segments.renameLegacyNames(s3ProxyRoot);
            Files.createDirectories(recordsDir);
            Files.writeString(renamedMark, "long key segments are stored by hash from here on\n");
        }
        return segments;
    }

    /** Whether a key is stored under another name; false for nearly every key, and cheap to answer. */
    static boolean isStoredUnderAnotherName(String key) {
        int segmentStart = 0;
        int segmentBytes = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '/') {
                segmentStart = i + 1;
                segmentBytes = 0;
                continue;
            }
            if (i == segmentStart && key.startsWith(STORED_NAME_MARKER, i)) {
                return true;
            }
            segmentBytes += utf8Bytes(c);
            if (segmentBytes > MAX_STORED_SEGMENT_BYTES) {
                return true;
            }
        }
        return false;
    }

    /** The name S3Proxy stores the key under; records nothing (for reads, deletes and copy sources). */
    static String storedKey(String key) {
        if (!isStoredUnderAnotherName(key)) {
            return key;
        }
        String[] parts = key.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = storedSegment(parts[i]);
        }
        return String.join("/", parts);
    }

    /**
     * The name S3Proxy stores the key under, after durably recording what a listing needs to give the original
     * key back. Call before any write that creates the object.
     */
    String recordKeyForWrite(String bucket, String key) {
        if (!isStoredUnderAnotherName(key)) {
            return key;
        }
        String[] parts = key.split("/", -1);
        StringBuilder storedDirectory = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String stored = storedSegment(parts[i]);
            if (!stored.equals(parts[i])) {
                recordSegment(stored.substring(STORED_NAME_MARKER.length()), parts[i]);
                recordDirectoryWithLongNames(bucket, storedDirectory.toString());
            }
            parts[i] = stored;
            storedDirectory.append(stored).append('/');
        }
        return String.join("/", parts);
    }

    /**
     * The state dir holds a stored long name without its record, or a record that does not match. Not an
     * IllegalStateException: S3Proxy answers those with 400 Bad Request and logs them at debug level only, while
     * this is a fault of the server's state, which must show as a 500 and in the log.
     */
    static final class BrokenRecordsException extends RuntimeException {
        BrokenRecordsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The original key of a name S3Proxy listed; fails when a stored long name has no record. */
    String originalKey(String storedKey) {
        if (!storedKey.contains(STORED_NAME_MARKER)) {
            return storedKey;
        }
        String[] parts = storedKey.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].startsWith(STORED_NAME_MARKER)) {
                parts[i] = originalSegment(parts[i], storedKey);
            }
        }
        return String.join("/", parts);
    }

    /** Whether a stored long name sits directly in the stored directory (a prefix ending with a slash, or ""). */
    boolean hasLongNamesDirectlyIn(String bucket, String storedDirectory) {
        return directoriesOf(bucket).contains(storedDirectory);
    }

    /** Whether a stored long name sits anywhere under the stored directory (a prefix ending with a slash, or ""). */
    boolean hasLongNamesUnder(String bucket, String storedDirectory) {
        for (String directory : directoriesOf(bucket)) {
            if (directory.startsWith(storedDirectory)) {
                return true;
            }
        }
        return false;
    }

    /** After the bucket is gone: its directory records describe nothing any more. */
    void forgetBucket(String bucket) throws IOException {
        Path dir = directoriesDir.resolve(bucket);
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> records = Files.newDirectoryStream(dir)) {
                for (Path record : records) {
                    Files.delete(record);
                }
            }
            Files.delete(dir);
        }
        directoriesByBucket.remove(bucket);
    }

    private static String storedSegment(String segment) {
        if (segment.startsWith(STORED_NAME_MARKER) || utf8Length(segment) > MAX_STORED_SEGMENT_BYTES) {
            return STORED_NAME_MARKER + sha256Hex(segment);
        }
        return segment;
    }

    private String originalSegment(String storedName, String storedKey) {
        String hash = storedName.substring(STORED_NAME_MARKER.length());
        if (hash.length() != SHA256_HEX_LENGTH || !hash.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new BrokenRecordsException("S3 state holds a name the long-key mapping did not write: \""
                    + storedName + "\" in \"" + storedKey + "\" (names starting with " + STORED_NAME_MARKER
                    + " are reserved for long key segments)", null);
        }
        String known = originalByHash.get(hash);
        if (known != null) {
            return known;
        }
        Path record = segmentsDir.resolve(hash);
        String original;
        try {
            original = new String(Files.readAllBytes(record), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BrokenRecordsException("no record of the original key segment stored as \"" + storedName
                    + "\" in \"" + storedKey + "\" (expected " + record + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + record, e);
        }
        if (!sha256Hex(original).equals(hash)) {
            throw new BrokenRecordsException("the record " + record + " does not hold the segment it is named after",
                    null);
        }
        originalByHash.put(hash, original);
        return original;
    }

    private void recordSegment(String hash, String original) {
        if (originalByHash.containsKey(hash)) {
            return;
        }
        Path record = segmentsDir.resolve(hash);
        if (!Files.exists(record)) {
            writeAtomically(record, original);
        }
        originalByHash.put(hash, original);
    }

    private void recordDirectoryWithLongNames(String bucket, String storedDirectory) {
        Set<String> directories = directoriesOf(bucket);
        if (directories.contains(storedDirectory)) {
            return;
        }
        writeAtomically(directoriesDir.resolve(bucket).resolve(sha256Hex(storedDirectory)), storedDirectory);
        directories.add(storedDirectory);
    }

    private Set<String> directoriesOf(String bucket) {
        return directoriesByBucket.computeIfAbsent(bucket, this::readDirectoryRecords);
    }

    private Set<String> readDirectoryRecords(String bucket) {
        Set<String> directories = ConcurrentHashMap.newKeySet();
        Path dir = directoriesDir.resolve(bucket);
        if (!Files.isDirectory(dir)) {
            return directories;
        }
        try (DirectoryStream<Path> records = Files.newDirectoryStream(dir)) {
            for (Path record : records) {
                if (record.getFileName().toString().endsWith(".tmp")) {
                    continue; // a write interrupted before its rename: the directory is recorded again on retry
                }
                directories.add(new String(Files.readAllBytes(record), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the long-key records in " + dir, e);
        }
        return directories;
    }

    /** Writes a record whole or not at all: to a temporary file first, then renamed into place. */
    private static void writeAtomically(Path record, String content) {
        Path temporary = record.resolveSibling(record.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(record.getParent());
            Files.write(temporary, content.getBytes(StandardCharsets.UTF_8));
            Files.move(temporary, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new UncheckedIOException("writing the long-key record " + record, e);
        }
    }

    /**
     * Renames every file or directory of the buckets under root whose name is now stored by hash, deepest first,
     * recording each one. S3Proxy's own multipart bookkeeping (the .mpus- names) is left alone.
     */
    private void renameLegacyNames(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> buckets = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().startsWith(".")) {
                    buckets.add(entry);
                }
            }
        }
        for (Path bucketDir : buckets) {
            String bucket = bucketDir.getFileName().toString();
            Files.walkFileTree(bucketDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (dir.getParent().equals(bucketDir)
                            && dir.getFileName().toString().startsWith(S3PROXY_MULTIPART_PREFIX)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    if (!(file.getParent().equals(bucketDir)
                            && file.getFileName().toString().startsWith(S3PROXY_MULTIPART_PREFIX))) {
                        renameIfStoredByHash(bucket, bucketDir, file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    if (!dir.equals(bucketDir)) {
                        renameIfStoredByHash(bucket, bucketDir, dir);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }

    private void renameIfStoredByHash(String bucket, Path bucketDir, Path path) throws IOException {
        String name = path.getFileName().toString();
        String stored = storedSegment(name);
        if (stored.equals(name) || isStoredName(name)) {
            return;
        }
        StringBuilder storedDirectory = new StringBuilder();
        for (Path segment : bucketDir.relativize(path.getParent())) {
            String parentName = segment.toString();
            if (!parentName.isEmpty()) {
                storedDirectory.append(storedSegment(parentName)).append('/');
            }
        }
        recordSegment(stored.substring(STORED_NAME_MARKER.length()), name);
        recordDirectoryWithLongNames(bucket, storedDirectory.toString());
        Path target = path.resolveSibling(stored);
        try {
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot rename " + path + " to its hashed name: " + target + " exists", e);
        }
        log.info("renamed a long key segment in bucket {} to its hashed name {} (was {} UTF-8 bytes)",
                bucket, stored, utf8Length(name));
    }

    private static boolean isStoredName(String name) {
        if (!name.startsWith(STORED_NAME_MARKER) || name.length() != STORED_NAME_MARKER.length() + SHA256_HEX_LENGTH) {
            return false;
        }
        for (int i = STORED_NAME_MARKER.length(); i < name.length(); i++) {
            if (Character.digit(name.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            bytes += utf8Bytes(s.charAt(i));
        }
        return bytes;
    }

    /** One UTF-16 unit's share of the UTF-8 length: a surrogate pair encodes as 4 bytes, 2 per unit. */
    private static int utf8Bytes(char c) {
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800 || Character.isSurrogate(c)) {
            return 2;
        }
        return 3;
    }

    static String sha256Hex(String s) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
