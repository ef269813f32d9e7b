package io.batchline.store;

import java.io.BufferedInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.StandardOpenOption;
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
     * A store for write-once bulk output ({@code ./batchline plan}): it does not hash what it writes (the
     * MD5 was a tenth of plan's time; ETags stay correct, computed when asked for), and it creates each new file
     * on a helper thread while the first 64 KiB written to it are buffered (creating a file costs 0.3-1 ms of
     * kernel time on some file systems, and plan creates two per shard). A failed creation is thrown by the
     * first write or flush past the buffer, or by close, as an IOException naming the key.
     */
    public static FileObjectStore withoutDigestOnWrite(Path root) {
        return new FileObjectStore(root, false);
    }

    /** Creates bulk output files off the writing thread; null for a store that creates them when asked. */
    private final java.util.concurrent.ExecutorService creator;

    private FileObjectStore(Path root, boolean digestOnWrite) {
        this.digestOnWrite = digestOnWrite;
        this.creator = digestOnWrite ? null : java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "batchline-file-creator");
            thread.setDaemon(true); // idle between files; never keeps a JVM alive
            return thread;
        });
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

    /**
     * A local file has no ETag of its own: this store's ETag is the MD5 of the file's bytes (what S3 gives an object
     * put in one request), computed by {@link #head} and cached while size and modification time are unchanged. The
     * file is opened first and checked after, so a file replaced in between (writers here replace files by an atomic
     * rename) fails the check rather than slipping through: the stream is the named version's bytes or an
     * {@link ObjectChangedException}. A version id means nothing here and is ignored. Not detected: an in-place
     * rewrite of the same size within the same millisecond of modification time (the cached MD5 stays), or a
     * file edited in place while being read; use the S3 store for inputs that others may overwrite.
     */
    @Override
    public InputStream open(String key, Version version) {
        String expected = version.bareEtag();
        if (expected.isEmpty()) throw new IllegalArgumentException("open " + key + " by version: no ETag given");
        InputStream in = open(key);
        String now = head(key).map(ObjectInfo::etag).orElse(null);
        if (!expected.equals(now)) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing was read
            }
            if (now == null) throw new NoSuchObjectException(key);
            throw new ObjectChangedException(key, expected, now);
        }
        return in;
    }

    @Override
    public OutputStream create(String key, String contentType) {
        Path target = pathOf(key);
        Path tmp = root.resolve(TMP_DIR).resolve(tmpPrefix + tmpCounter.incrementAndGet() + ".part");
        if (creator != null) {
            return new PublishOnClose(key, target, tmp,
                    new CreatedLater(key, creator.submit(() -> createChannel(tmp))), null);
        }
        try {
            OutputStream file = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, CREATE_NEW_FILE), 64 * 1024);
            return new PublishOnClose(key, target, tmp, file, digestOnWrite ? newMd5() : null);
        } catch (NoSuchFileException e) { // the first file, or the .tmp folder was deleted meanwhile
            try {
                Files.createDirectories(tmp.getParent());
                OutputStream file = new java.io.BufferedOutputStream(Files.newOutputStream(tmp, CREATE_NEW_FILE), 64 * 1024);
                return new PublishOnClose(key, target, tmp, file, digestOnWrite ? newMd5() : null);
            } catch (IOException again) {
                throw new UncheckedIOException("creating " + key, again);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + key, e);
        }
    }

    private static final java.util.Set<StandardOpenOption> CREATE_NEW_FILE_SET =
            java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final StandardOpenOption[] CREATE_NEW_FILE = {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE};

    /** Bulk output's write buffers: direct, so a write is not copied once more on its way to the kernel; reused. */
    private final java.util.concurrent.ConcurrentLinkedQueue<java.nio.ByteBuffer> buffers =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int BULK_BUFFER = 256 * 1024;

    /**
     * A bulk output file being created on the creator thread (a missing .tmp folder is made there too), written
     * through a direct buffer: the first write past the buffer, or the close, waits for the file.
     */
    private final class CreatedLater extends OutputStream {
        private final String key;
        private final java.util.concurrent.Future<FileChannel> pending;
        private FileChannel file;
        private java.nio.ByteBuffer buffer;

        CreatedLater(String key, java.util.concurrent.Future<FileChannel> pending) {
            this.key = key;
            this.pending = pending;
            java.nio.ByteBuffer pooled = buffers.poll();
            this.buffer = pooled != null ? pooled : java.nio.ByteBuffer.allocateDirect(BULK_BUFFER);
        }

        private FileChannel file() throws IOException {
            if (file != null) return file;
            try {
                return file = pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while creating " + key);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("creating " + key + ": " + e.getCause().getMessage(), e.getCause());
            }
        }

        @Override
        public void write(int b) throws IOException {
            if (!buffer.hasRemaining()) drain();
            buffer.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (!buffer.hasRemaining()) drain();
                int n = Math.min(len, buffer.remaining());
                buffer.put(b, off, n);
                off += n;
                len -= n;
            }
        }

        private void drain() throws IOException {
            FileChannel channel = file();
            buffer.flip();
            while (buffer.hasRemaining()) channel.write(buffer);
            buffer.clear();
        }

        @Override
        public void flush() throws IOException {
            if (buffer.position() > 0) drain();
        }

        @Override
        public void close() throws IOException {
            if (buffer == null) return;
            try (FileChannel channel = file()) {
                if (buffer.position() > 0) drain();
            } finally {
                buffer.clear();
                buffers.offer(buffer);
                buffer = null;
            }
        }
    }

    /** The creator thread's open: creates the file, and the .tmp folder when it is missing. */
    private static FileChannel createChannel(Path tmp) throws IOException {
        try {
            return FileChannel.open(tmp, CREATE_NEW_FILE_SET);
        } catch (NoSuchFileException e) {
            Files.createDirectories(tmp.getParent());
            return FileChannel.open(tmp, CREATE_NEW_FILE_SET);
        }
    }

    /** Temp file names: unique to this store object, so two processes on one folder do not collide. */
    private final String tmpPrefix = "obj-" + Long.toHexString(new java.util.Random().nextLong() >>> 1) + "-";
    private final java.util.concurrent.atomic.AtomicLong tmpCounter = new java.util.concurrent.atomic.AtomicLong();
    /** Folders known to exist, so publishing does not ask the file system each time. */
    private final java.util.Set<Path> knownFolders = ConcurrentHashMap.newKeySet();

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

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
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

        /** @param file the temp file's stream, buffered */
        private PublishOnClose(String key, Path target, Path tmp, OutputStream file, MessageDigest md5) {
            super(md5 == null ? file : new DigestOutputStream(file, md5));
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
                IOException failure = new IOException("writing " + key + ": " + e.getMessage(), e);
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException cleanup) {
                    failure.addSuppressed(cleanup);
                }
                throw failure;
            }
            if (failed) {
                // a write already failed: leave no object, and no half object
                Files.deleteIfExists(tmp);
                return;
            }
            Path folder = target.getParent();
            if (!knownFolders.contains(folder)) {
                Files.createDirectories(folder);
                knownFolders.add(folder);
            }
            try {
                move(tmp, target);
            } catch (NoSuchFileException e) { // the folder was deleted since: make it again
                Files.createDirectories(folder);
                move(tmp, target);
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
