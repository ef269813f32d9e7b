package io.batchline.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The offline stack's fault switch: kills the function process at a named point, as a Lambda timeout or
 * crash would. Armed by {@code BATCHLINE_CHAOS_FILE}, a JSON file {"point": "collect.line", "after": 5} that
 * tests rewrite between cases; each arming fires once across all processes (a marker file records it), so the
 * retried invocation gets past the point. Unset (as in AWS), the points are {@link FaultPoints#NONE}.
 */
public final class Chaos implements FaultPoints {
    private final String file;
    private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
    private volatile long checkedAt;
    private volatile Armed armed;

    private Chaos(String file) {
        this.file = file;
    }

    /** The fault points armed by this file ({@code BATCHLINE_CHAOS_FILE}); none when it is null or blank. */
    public static FaultPoints of(String chaosFile) {
        return chaosFile == null || chaosFile.isBlank() ? NONE : new Chaos(chaosFile);
    }

    private record Armed(String point, long after, String id) {}

    /** Marks a point; the armed one kills the process on its {@code after}-th pass (default 1). */
    @Override
    public void point(String name) {
        String f = file;
        Armed a = current(f);
        if (a == null || !a.point().equals(name)) return;
        long hit = hits.computeIfAbsent(a.id() + name, k -> new AtomicLong()).incrementAndGet();
        if (hit < a.after()) return;
        try {
            // once per arming, whichever process gets here first
            Files.createFile(Path.of(f + "." + a.id() + ".fired"));
        } catch (FileAlreadyExistsException alreadyFired) {
            return;
        } catch (IOException e) {
            throw new IllegalStateException("chaos marker: " + e.getMessage(), e);
        }
        System.err.println("chaos: killing the process at " + name + " (pass " + hit + ")");
        Runtime.getRuntime().halt(137);
    }

    private Armed current(String f) {
        long now = System.currentTimeMillis();
        if (now - checkedAt < 200) return armed; // points on hot paths (per line) must stay cheap
        checkedAt = now;
        try {
            Path path = Path.of(f);
            if (!Files.exists(path)) return armed = null;
            JsonNode n = Json.tree(Files.readAllBytes(path));
            return armed = new Armed(n.path("point").asText(), Math.max(1, n.path("after").asLong(1)),
                    n.path("id").asText(n.path("point").asText()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("BATCHLINE_CHAOS_FILE " + f + " is unreadable: " + e.getMessage(), e);
        }
    }
}
