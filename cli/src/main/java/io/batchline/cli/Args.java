package io.batchline.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A command's options ({@code --name value} or {@code --name=value}) and its other words, in order. */
public final class Args {
    public final Map<String, String> options = new HashMap<>();
    public final List<String> inputs = new ArrayList<>();

    public static Args parse(String[] args, int from, List<String> known) {
        Args a = new Args();
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("--")) {
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                if (!known.contains(name)) throw new UsageException("unknown option " + name);
                if (value == null) {
                    if (i + 1 >= args.length) throw new UsageException(name + " needs a value");
                    value = args[++i];
                }
                a.options.put(name, value);
            } else {
                a.inputs.add(arg);
            }
        }
        return a;
    }

    public Path required(String name) {
        String v = options.get(name);
        if (v == null) throw new UsageException(name + " is required");
        return Path.of(v);
    }

    public Path path(String name, Path dflt) {
        String v = options.get(name);
        return v == null ? dflt : Path.of(v);
    }

    public Path singleInput() {
        if (inputs.size() != 1) throw new UsageException("give exactly one INPUT file (got " + inputs.size() + ")");
        return Path.of(inputs.get(0));
    }
}
