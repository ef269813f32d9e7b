package io.batchline.offline.teststack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's clock for a test that needs batches in flight while it acts and ended afterwards: the wall clock,
 * moved forward when the test says the provider's time has passed ({@link #moveForward}), so the test does not sit
 * out the batches' processing time. Unlike {@link io.batchline.offline.sim.WaitDrivenClock}, the state machine's Wait
 * states keep their real length.
 */
public final class MovableClock extends Clock {
    private final Clock wall;
    private final AtomicLong movedMillis;

    public MovableClock() {
        this(Clock.systemUTC(), new AtomicLong());
    }

    private MovableClock(Clock wall, AtomicLong movedMillis) {
        this.wall = wall;
        this.movedMillis = movedMillis;
    }

    /** The provider lives through {@code time} at once. */
    public void moveForward(Duration time) {
        if (time.isNegative()) throw new IllegalArgumentException("a clock moves forward only: " + time);
        movedMillis.addAndGet(time.toMillis());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
        return wall.millis() + movedMillis.get();
    }

    @Override
    public ZoneId getZone() {
        return wall.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MovableClock(wall.withZone(zone), movedMillis);
    }
}
