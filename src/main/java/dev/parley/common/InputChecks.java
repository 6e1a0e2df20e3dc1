package dev.parley.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.error.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks whose bounds come from configuration, so they cannot be annotations: metadata shape, the
 * size and depth of free-form JSON, and message length. Failures are 400s keyed by the JSON field
 * name, like Bean Validation's.
 */
@ApplicationScoped
public class InputChecks {

    @Inject
    Limits limits;

    @Inject
    ObjectMapper json;

    public void metadata(String field, Map<String, ?> metadata) {
        if (metadata == null) {
            return;
        }
        Set<String> problems = new LinkedHashSet<>();
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
        if (problems.isEmpty()) {
            // Keys and values are checked for NUL here too: object keys never pass the string checks
            // of the JSON reader, and PostgreSQL's jsonb cannot store a NUL.
            structure(metadata, 1, 1, problems);
            size(metadata, limits.metadataMaxBytes(), problems);
        }
        fail(field, problems);
    }

    /**
     * Free-form JSON a client stores (tool calls): no NUL in any key or string, nested at most
     * {@link Limits#jsonMaxDepth()} levels, at most {@code maxBytes} once serialized.
     */
    public void toolCalls(String field, List<?> toolCalls) {
        if (toolCalls == null) {
            return;
        }
        Set<String> problems = new LinkedHashSet<>();
        structure(toolCalls, 1, limits.jsonMaxDepth(), problems);
        if (problems.isEmpty()) {
            size(toolCalls, limits.toolCallsMaxBytes(), problems);
        }
        fail(field, problems);
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

    private static void structure(Object value, int depth, int maxDepth, Set<String> problems) {
        if (value instanceof Map<?, ?> map) {
            if (depth > maxDepth) {
                problems.add("must be nested at most " + maxDepth + " levels deep");
                return;
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (hasNul(entry.getKey())) {
                    problems.add("keys must not contain NUL characters");
                }
                structure(entry.getValue(), depth + 1, maxDepth, problems);
            }
        } else if (value instanceof List<?> list) {
            if (depth > maxDepth) {
                problems.add("must be nested at most " + maxDepth + " levels deep");
                return;
            }
            for (Object item : list) {
                structure(item, depth + 1, maxDepth, problems);
            }
        } else if (hasNul(value)) {
            problems.add("must not contain NUL characters");
        } else if ((value instanceof Double d && !Double.isFinite(d)) || (value instanceof Float f && !Float.isFinite(f))) {
            // 1e999 reads as Infinity, which JSON (and so jsonb) cannot hold.
            problems.add("numbers must be finite");
        }
    }

    private void size(Object value, int maxBytes, Set<String> problems) {
        try {
            if (json.writeValueAsBytes(value).length > maxBytes) {
                problems.add("must be at most " + maxBytes + " bytes as JSON");
            }
        } catch (JsonProcessingException e) {
            problems.add("is not valid");
        }
    }

    private static boolean hasNul(Object value) {
        return value instanceof String text && text.indexOf('\u0000') >= 0;
    }

    private static void fail(String field, Set<String> problems) {
        if (!problems.isEmpty()) {
            throw new ProblemException(400, "The request is not valid", Map.of(field, new ArrayList<>(problems)));
        }
    }

    private static String abbreviate(String key) {
        String printable = key.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
    }
}
