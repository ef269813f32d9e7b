package io.batchline.offline;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The JDK HTTP server behind the offline stack's own endpoints (the Anthropic simulator, the Lambda Invoke API and
 * Runtime API, the Step Functions API), bound to the loopback interface, with TCP_NODELAY on its connections:
 * without it every small answer waited ~40 ms for the client's delayed acknowledgement (Nagle), and 600 calls to the
 * simulator took 27 s instead of 0.6 s.
 */
public final class LocalHttpServers {
    /** Read once by the JDK, when its server configuration loads: set before the first server is created. */
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    static {
        if (System.getProperty(NO_DELAY) == null) System.setProperty(NO_DELAY, "true");
    }

    private LocalHttpServers() {}

    /** A server on 127.0.0.1:{@code port} (0: a free one), not yet started. */
    public static HttpServer bind(int port, int backlog) throws IOException {
        return HttpServer.create(new InetSocketAddress("127.0.0.1", port), backlog);
    }
}
