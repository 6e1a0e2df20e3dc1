package dev.parley.portability;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** One source format of POST /api/import: reads a file and hands each conversation to the session. */
interface ImportFormat {

    void read(JsonParser parser, ImportSession session) throws IOException;

    /**
     * Calls {@code each} with every top-level conversation object, one at a time: the elements of a
     * top-level array, or a single top-level object, or a sequence of objects (NDJSON).
     */
    static void eachTopLevelObject(JsonParser parser, ImportSession session, TreeConsumer each) throws IOException {
        for (var token = parser.nextToken(); token != null; token = parser.nextToken()) {
            switch (token) {
                case START_ARRAY -> {
                    while (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                        JsonNode node = parser.readValueAsTree();
                        accept(node, session, each);
                    }
                }
                case START_OBJECT -> accept(parser.readValueAsTree(), session, each);
                default -> throw new IllegalImportException("expected a JSON object or an array of objects");
            }
        }
    }

    private static void accept(JsonNode node, ImportSession session, TreeConsumer each) {
        if (node == null || !node.isObject()) {
            session.problem(null, "skipped an item that is not a JSON object");
            return;
        }
        each.accept((ObjectNode) node);
    }

    @FunctionalInterface
    interface TreeConsumer {
        void accept(ObjectNode node);
    }

    /** Unix seconds with a fraction (ChatGPT, Open WebUI), at the database's microsecond precision. */
    static Instant seconds(JsonNode value) {
        if (value == null || !value.isNumber()) {
            return null;
        }
        BigDecimal micros = value.decimalValue().movePointRight(6);
        return Instant.EPOCH.plus(micros.longValue(), ChronoUnit.MICROS);
    }

    /** An ISO-8601 instant (LibreChat, Parley), or null. */
    static Instant iso(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(value.asText()).truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A file that cannot be read as its format at all: a 400 problem. */
    class IllegalImportException extends RuntimeException {
        IllegalImportException(String message) {
            super(message, null, false, false);
        }
    }
}
