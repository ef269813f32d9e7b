package io.batchline.offline.sim;

import io.batchline.cli.OfflineAnthropic;
import java.net.URI;

/** The simulator as the command line's {@link OfflineAnthropic}: what {@code plan --calibrate sim} counts with. */
public final class SimulatorService implements OfflineAnthropic {
    @Override
    public Running start() {
        AnthropicSimulator sim = AnthropicSimulator.start(SimulatorConfig.defaults());
        return new Running() {
            @Override
            public URI baseUrl() {
                return sim.baseUrl();
            }

            @Override
            public String apiKey() {
                return "sk-ant-local-simulator";
            }

            @Override
            public void close() {
                sim.close();
            }
        };
    }
}
