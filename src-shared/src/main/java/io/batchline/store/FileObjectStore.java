package io.batchline.store;

import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} on a local folder, for {@code ./batchline plan} and tests. Keys are relative
 * paths with '/' separators. New objects are written to a temp file under {@code <root>/.tmp/} and moved
 * into place atomically on close, so readers never see half an object. A stream that is never closed
 * (abandoned after a failure) leaves only its temp file, which {@link #list} never shows.
 */
public final class FileObjectStore implements ObjectStore {

    /** Temp files live here: same file system as the objects, so the final move is an atomic rename. */
    static final String TMP_DIR = ".tmp";

    private final Path root;
    /** ETags known from writes or earlier heads, valid while size and modification time are unchanged. */
    private final Map<String, CachedEtag> etags = new ConcurrentHashMap<>();

    private record CachedEtag(long size, long modifiedMillis, String etag) {}

    /** False: no MD5 while writing (an ETag is then computed on the first head); for write-once bulk output. */
    private final boolean digestOnWrite;

    public FileObjectStore(Path root) {
        this(root, true);
    }

    /**
     * A store that does not hash what it writes: {@code ./batchline plan} writes hundreds of MB that nothing
     * heads, and the MD5 was a tenth of its time (issue 9). ETags stay correct, computed when asked for.
     */
    public static FileObjectStore withoutDigestOnWrite(Path root) {
        return new FileObjectStore(root, false);
    }

    private FileObjectStore(Path root, boolean digestOnWrite) {
        this.digestOnWrite = digestOnWrite;
        try {
            this.root = Files.createDirectories(root).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + root + " as an object store folder", e);
        }
    }

    public Path root() {
        return root;
    }

    /** The file that holds {@code key}; rejects keys that would escape the root. */
    public Path pathOf(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
            throw new IllegalArgumentException("invalid object key '" + key + "'");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid object key '" + key + "': empty, '.' or '..' segment");
            }
        }
        if (key.equals(TMP_DIR) || key.startsWith(TMP_DIR + "/")) {
            throw new IllegalArgumentException("invalid object key '" + key + "': " + TMP_DIR + "/ is reserved");
        }
        return root.resolve(key);
    }

    @Override
    public InputStream open(String key) {
        Path path = pathOf(key);
        if (Files.isDirectory(path)) throw new NoSuchObjectException(key);
        try {
            return new BufferedInputStream(Files.newInputStream(path), 64 * 1024);
        } catch (NoSuchFileException e) {
            throw new NoSuchObjectException(key);
        } catch (IOException e) {
            throw new UncheckedIOException("opening " + key, e);
        }
    }

    @Override
    public OutputStream create(String key, String contentType) {
        Path target = pathOf(key);
        try {
            Path tmpDir = Files.createDirectories(root.resolve(TMP_DIR));
            Path tmp = Files.createTempFile(tmpDir, "obj-", ".part");
            return digestOnWrite ? new PublishOnClose(key, target, tmp) : new PublishOnClose(key, target, tmp, null);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        Path path = pathOf(key);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading attributes of " + key, e);
        }
        if (!attrs.isRegularFile()) return Optional.empty();
        long size = attrs.size();
        long modified = attrs.lastModifiedTime().toMillis();
        CachedEtag cached = etags.get(key);
        if (cached == null || cached.size != size || cached.modifiedMillis != modified) {
            cached = new CachedEtag(size, modified, md5Of(key, path));
            etags.put(key, cached);
        }
        return Optional.of(new ObjectInfo(key, size, cached.etag));
    }

    @Override
    public List<String> list(String prefix) {
        // Walk only the deepest folder the prefix names, not the whole tree.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) return List.of();
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                String key = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                if (key.startsWith(prefix) && !key.startsWith(TMP_DIR + "/")) keys.add(key);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + prefix, e);
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) {
        Path path = pathOf(key);
        try {
            Files.deleteIfExists(path);
            etags.remove(key);
            pruneEmptyParents(path.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + key, e);
        }
    }

    /** Folders are an artefact of the layout, not objects: drop the ones a delete emptied. */
    private void pruneEmptyParents(Path dir) throws IOException {
        while (dir != null && !dir.equals(root) && dir.startsWith(root) && Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) return;
            } catch (NoSuchFileException goneAlready) {
                return;
            }
            try {
                Files.delete(dir);
            } catch (IOException raceWithAWriter) {
                return;
            }
            dir = dir.getParent();
        }
    }

    private static String md5Of(String key, Path path) {
        MessageDigest md5 = newMd5();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buffer)) > 0; ) md5.update(buffer, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key + " for its ETag", e);
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes to the temp file, computing the MD5 on the way; publishes on a clean close only. */
    private final class PublishOnClose extends FilterOutputStream {
        private final String key;
        private final Path target;
        private final Path tmp;
        private final MessageDigest md5;
        private boolean failed;
        private boolean closed;

        PublishOnClose(String key, Path target, Path tmp) throws IOException {
            this(key, target, tmp, newMd5());
        }

        private PublishOnClose(String key, Path target, Path tmp, MessageDigest md5) throws IOException {
            super(md5 == null ? new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)
                    : new DigestOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024), md5));
            this.key = key;
            this.target = target;
            this.tmp = tmp;
            this.md5 = md5;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                failed = true;
                Files.deleteIfExists(tmp);
                throw new IOException("writing " + key + ": " + e.getMessage(), e);
            }
            if (failed) {
                // a write already failed: leave no object, and no half object
                Files.deleteIfExists(tmp);
                return;
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            if (md5 == null) {
                etags.remove(key); // computed on the next head
                return;
            }
            BasicFileAttributes attrs = Files.readAttributes(target, BasicFileAttributes.class);
            etags.put(key, new CachedEtag(attrs.size(), attrs.lastModifiedTime().toMillis(),
                    HexFormat.of().formatHex(md5.digest())));
        }
    }
}
