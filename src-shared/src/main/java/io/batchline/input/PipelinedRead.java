package io.batchline.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads an input on the calling thread and hands its items and errors, in file order, to the visitor on a
 * second thread: parsing a line and rendering/writing its request are each a large share of
 * plan's CPU, so on two cores they overlap; a {@link PreparingVisitor} moves part of its own per-item work
 * (plan: rendering the params) to the reading thread to even the two out. The visitor sees exactly the calls a plain
 * {@link InputReader#read} makes, in the same order, all from one thread; memory stays bounded (at most
 * {@value #QUEUED_BATCHES} batches of {@value #BATCH} parsed lines wait). A failure on either side stops
 * both and is rethrown here: the visitor's own exception as it was thrown, the reader's IOException as is.
 * With one processor it is a plain read.
 */
public final class PipelinedRead {

    static final int BATCH = 256;
    static final int QUEUED_BATCHES = 8;
    private static final Object[] END = new Object[0];

    private PipelinedRead() {}

    /**
     * A visitor with per-item work that may run on the reading thread: {@link #prepare} is called there (in
     * file order, before the item is queued) and must not throw for a bad item (return the problem instead);
     * {@link #item(InputItem, Object)} then gets its result in order on the visiting thread.
     */
    public interface PreparingVisitor<T> extends InputVisitor {
        T prepare(InputItem item);

        void item(InputItem item, T prepared);

        @Override
        default void item(InputItem item) {
            item(item, prepare(item));
        }
    }

    /** An item with what {@link PreparingVisitor#prepare} made of it, as queued. */
    private record PreparedItem(InputItem item, Object prepared) {}

    public static InputReader.Summary read(InputReader reader, InputStream in, InputVisitor visitor) throws IOException {
        if (Runtime.getRuntime().availableProcessors() < 2) return reader.read(in, visitor);
        Consumer consumer = new Consumer(visitor);
        Thread thread = new Thread(consumer, "batchline-input-visitor");
        thread.setDaemon(true); // never keeps a JVM alive; joined below on every path
        thread.start();
        Producer producer = new Producer(consumer, visitor instanceof PreparingVisitor<?> p ? p : null);
        InputReader.Summary summary = null;
        Throwable readFailure = null;
        try {
            summary = reader.read(in, producer);
            producer.flush();
        } catch (IOException | RuntimeException | Error e) {
            readFailure = e;
            consumer.abandon = true; // the rest is not wanted: drop what is queued
        } finally {
            try {
                producer.put(END);
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                consumer.abandon = true;
                if (readFailure == null) readFailure = new InterruptedIOException("interrupted while reading input");
            }
        }
        // the visitor's failure is the cause; the reader only stopped because of it (ConsumerFailed)
        if (consumer.failure instanceof RuntimeException e) throw e;
        if (consumer.failure instanceof Error e) throw e;
        if (consumer.failure != null) throw new IllegalStateException(consumer.failure);
        if (readFailure instanceof IOException e) throw e;
        if (readFailure instanceof RuntimeException e) throw e;
        if (readFailure instanceof Error e) throw e;
        return summary;
    }

    /** Thrown into the reader to stop it when the visitor has failed; replaced by that failure. */
    private static final class ConsumerFailed extends RuntimeException {
        ConsumerFailed() {
            super("the input visitor failed", null, false, false);
        }
    }

    private static final class Producer implements InputVisitor {
        private final Consumer consumer;
        private final PreparingVisitor<?> preparing;
        private Object[] batch = new Object[BATCH];
        private int size;

        Producer(Consumer consumer, PreparingVisitor<?> preparing) {
            this.consumer = consumer;
            this.preparing = preparing;
        }

        @Override
        public void item(InputItem item) {
            add(preparing == null ? item : new PreparedItem(item, preparing.prepare(item)));
        }

        @Override
        public void error(InputError error) {
            add(error);
        }

        @Override
        public FlatLine.Fields flatFields() {
            return consumer.visitor.flatFields(); // read once, before the first line
        }

        private void add(Object event) {
            batch[size++] = event;
            if (size == BATCH) flush();
        }

        void flush() {
            if (size == 0) return;
            Object[] full = size == BATCH ? batch : java.util.Arrays.copyOf(batch, size);
            batch = new Object[BATCH];
            size = 0;
            try {
                put(full);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("interrupted while reading input"));
            }
            if (consumer.failure != null) throw new ConsumerFailed();
        }

        void put(Object[] events) throws InterruptedException {
            consumer.queue.put(events);
        }
    }

    private static final class Consumer implements Runnable {
        final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
        private final InputVisitor visitor;
        volatile Throwable failure;
        volatile boolean abandon;

        Consumer(InputVisitor visitor) {
            this.visitor = visitor;
        }

        @SuppressWarnings("unchecked")
        private void prepared(PreparedItem p) {
            ((PreparingVisitor<Object>) visitor).item(p.item(), p.prepared());
        }

        @Override
        public void run() {
            while (true) {
                Object[] events;
                try {
                    events = queue.take();
                } catch (InterruptedException e) {
                    if (failure == null) failure = e; // nobody interrupts this thread; if so, fail the read, not hang it
                    continue;
                }
                if (events == END) return;
                if (failure != null || abandon) continue; // keep taking, so the reader never blocks on a full queue
                try {
                    for (Object event : events) {
                        if (event instanceof PreparedItem p) prepared(p);
                        else if (event instanceof InputItem item) visitor.item(item);
                        else visitor.error((InputError) event);
                    }
                } catch (Throwable e) {
                    failure = e;
                }
            }
        }
    }
}
