package io.batchline.offline.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compressed time for long-batch tests: the wall clock plus every Wait state the local Step Functions service
 * has entered. Given to the simulator, a batch that takes "24 h" ends after exactly the Wait seconds the state
 * machine would spend in AWS, while those waits themselves pass in milliseconds; the number of polls is then
 * what the ASL's schedule gives, independent of how fast this machine runs the functions.
 */
public final class WaitDrivenClock extends Clock {
    private final Clock wall;
    private final AtomicLong skippedMillis;

    public WaitDrivenClock() {
        this(Clock.systemUTC(), new AtomicLong());
    }

    private WaitDrivenClock(Clock wall, AtomicLong skippedMillis) {
        this.wall = wall;
        this.skippedMillis = skippedMillis;
    }

    /** Called when a Wait state starts: its whole duration has passed for the provider. */
    public void advance(Duration waited) {
        if (!waited.isNegative()) skippedMillis.addAndGet(waited.toMillis());
    }

    /** The waiting skipped so far. */
    public Duration skipped() {
        return Duration.ofMillis(skippedMillis.get());
    }

    @Override
    public Instant instant() {
        return wall.instant().plusMillis(skippedMillis.get());
    }

    @Override
    public long millis() {
        return wall.millis() + skippedMillis.get();
    }

    @Override
    public ZoneId getZone() {
        return wall.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new WaitDrivenClock(wall.withZone(zone), skippedMillis);
    }
}
