package dev.parley.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * For @QuarkusIntegrationTest: a {@link FakeOpenAi} in the test JVM as the packaged jar's model
 * provider, answering every call with a reply streamed in three chunks. The test reads what the
 * model was sent through {@link #fake()}.
 */
public class FakeOpenAiProvider implements QuarkusTestResourceLifecycleManager {

    public static final String ANSWER = "Hello from Parley";

    private static volatile FakeOpenAi fake;

    public static FakeOpenAi fake() {
        return fake;
    }

    @Override
    public Map<String, String> start() {
        fake = new FakeOpenAi().always(FakeOpenAi.streamed("Hello", " from", " Parley"));
        return Map.of(
                "parley.assistant.provider", "openai",
                "parley.assistant.openai.base-url", fake.baseUrl(),
                "parley.assistant.openai.api-key", "test-provider-key",
                "parley.assistant.openai.model", "fake-model");
    }

    @Override
    public void stop() {
        if (fake != null) {
            fake.close();
        }
    }
}
