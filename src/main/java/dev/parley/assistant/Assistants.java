package dev.parley.assistant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Makes the configured provider the application's {@link Assistant}. */
public class Assistants {

    @Produces
    @ApplicationScoped
    Assistant assistant(AssistantConfig config) {
        return switch (config.provider()) {
            case "rules" -> new RulesAssistant();
            case "echo" -> new EchoAssistant();
            case "openai" -> new OpenAiAssistant(config.openai());
            default -> throw new IllegalArgumentException("Unknown parley.assistant.provider '" + config.provider()
                    + "'; use rules, echo or openai");
        };
    }
}
