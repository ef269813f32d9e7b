package io.batchline.offline.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The runtime interface client's JNI library, unpacked once per host into a private file. Left to itself the
 * client copies it to the shared /tmp/.libaws-lambda-jni.so on every start, and two JVMs starting together load
 * each other's half-written copy.
 */
final class RicNativeLibrary {
    private static final String RESOURCE = "/jni/libaws-lambda-jni.linux-x86_64.so";
    private static Path path;

    private RicNativeLibrary() {}

    static synchronized Path path() {
        if (path != null) return path;
        try (InputStream in = classInRic().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the runtime interface client jar has no " + RESOURCE);
            Path dir = Files.createTempDirectory("batchline-ric-jni");
            Path tmp = dir.resolve("lib.so.part");
            Files.copy(in, tmp);
            Path lib = dir.resolve("libaws-lambda-jni.so");
            Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE);
            lib.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return path = lib;
        } catch (IOException e) {
            throw new UncheckedIOException("unpacking the runtime interface client's JNI library", e);
        }
    }

    private static Class<?> classInRic() {
        try {
            return Class.forName("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the runtime interface client is not on the classpath", e);
        }
    }
}
