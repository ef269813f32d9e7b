package io.batchline.offline.teststack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs before every test class of this module (registered through META-INF/services, autodetection switched on
 * in junit-platform.properties): with -Dbatchline.stack=localstack and no Docker engine, every class fails at once
 * with the same message, so the run ends in seconds and never passes by skipping.
 */
public final class StackCheckExtension implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        TestStack.requireUsable();
        OfflineStackOnly offline = context.getRequiredTestClass().getAnnotation(OfflineStackOnly.class);
        if (offline != null && TestStack.selection().isLocalStack()) {
            context.publishReportEntry("batchline.stack", "runs on the offline stack: " + offline.value());
        }
    }
}
