package io.batchline.provider.anthropic;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP client's request timeout ends when headers arrive; a body that then stalls would block a reader
 * forever. This fails a read that makes no progress for {@code idle} by interrupting the blocked reader and
 * closing the stream, so a stalled download surfaces as an {@link IOException}.
 */
final class IdleTimeoutInputStream extends FilterInputStream {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "batchline-provider-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final long idleNanos;
    private final ScheduledFuture<?> task;
    private volatile long lastProgress = System.nanoTime();
    private volatile Thread reader;
    private volatile boolean timedOut;
    private volatile boolean closed;

    IdleTimeoutInputStream(InputStream in, Duration idle) {
        super(in);
        this.idleNanos = idle.toNanos();
        long period = Math.max(10, idle.toMillis() / 4);
        this.task = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private void check() {
        Thread t = reader;
        if (t != null && System.nanoTime() - lastProgress > idleNanos) {
            timedOut = true;
            t.interrupt();
            try {
                in.close();
            } catch (IOException ignored) {
                // the reader gets the timeout error below; a failure to close adds nothing
            }
            task.cancel(false);
        }
    }

    private void enter() throws IOException {
        if (timedOut) throw timeout();
        lastProgress = System.nanoTime();
        reader = Thread.currentThread();
    }

    private int exit(int n) throws IOException {
        reader = null;
        if (timedOut) {
            Thread.interrupted(); // clear the watchdog's interrupt so it does not leak into the caller
            throw timeout();
        }
        lastProgress = System.nanoTime();
        return n;
    }

    private IOException timeout() {
        return new IdleTimeoutException("no data from the provider for " + Duration.ofNanos(idleNanos));
    }

    @Override
    public int read() throws IOException {
        enter();
        try {
            return exit(super.read());
        } catch (IOException e) {
            throw readFailed(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        enter();
        try {
            return exit(super.read(b, off, len));
        } catch (IOException e) {
            throw readFailed(e);
        }
    }

    /** What a failed read throws: the idle timeout when the watchdog cut the read, else the read's own error. */
    private IOException readFailed(IOException e) {
        reader = null;
        if (timedOut) {
            Thread.interrupted();
            return timeout();
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        task.cancel(false);
        super.close();
    }

    /** A body read that stalled longer than the request timeout. */
    static final class IdleTimeoutException extends IOException {
        IdleTimeoutException(String message) { super(message); }
    }
}
