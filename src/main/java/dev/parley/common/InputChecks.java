package dev.parley.common;

import dev.parley.error.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks whose bounds come from configuration, so they cannot be annotations: metadata shape and
 * message length. Failures are 400s keyed by the JSON field name, like Bean Validation's.
 */
@ApplicationScoped
public class InputChecks {

    @Inject
    Limits limits;

    public void metadata(String field, Map<String, ?> metadata) {
        if (metadata == null) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (metadata.size() > limits.metadataMaxKeys()) {
            problems.add("must have at most " + limits.metadataMaxKeys() + " keys");
        }
        for (Map.Entry<String, ?> entry : metadata.entrySet()) {
            String key = entry.getKey();
            if (key.isBlank() || key.length() > limits.metadataKeyMaxLength()) {
                problems.add("keys must be 1 to " + limits.metadataKeyMaxLength() + " characters");
            }
            Object value = entry.getValue();
            if (value instanceof String text) {
                if (text.length() > limits.metadataValueMaxLength()) {
                    problems.add("value of '" + abbreviate(key) + "' must be at most "
                            + limits.metadataValueMaxLength() + " characters");
                }
            } else if (value != null && !(value instanceof Number) && !(value instanceof Boolean)) {
                problems.add("value of '" + abbreviate(key) + "' must be a string, number, boolean or null");
            }
        }
        if (!problems.isEmpty()) {
            throw new ProblemException(400, "The request is not valid", Map.of(field, problems));
        }
    }

    public void content(String field, String content) {
        if (content == null || content.isBlank()) {
            throw ProblemException.badRequest(field, "must not be blank");
        }
        if (content.codePointCount(0, content.length()) > limits.contentMaxLength()) {
            throw ProblemException.badRequest(field,
                    "must be at most " + limits.contentMaxLength() + " characters");
        }
    }

    private static String abbreviate(String key) {
        return key.length() > 64 ? key.substring(0, 64) + "…" : key;
    }
}
