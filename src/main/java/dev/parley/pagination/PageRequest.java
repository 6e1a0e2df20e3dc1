package dev.parley.pagination;

import dev.parley.error.ProblemException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paging part of a list request (SPEC §4.1), parsed from the raw query parameters so that
 * a non-number or an out-of-range value is a 400 naming the parameter, not a 404 or a 500.
 */
public record PageRequest(int page, int pageSize, String cursor, boolean count) {

    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;

    /** The deepest page-mode OFFSET when none is configured (parley.pagination.max-offset). */
    public static final int DEFAULT_MAX_OFFSET = 10_000;

    public static PageRequest parse(String page, String pageSize, String cursor, String count) {
        return parse(page, pageSize, cursor, count, DEFAULT_MAX_OFFSET);
    }

    /**
     * @param maxOffset the most rows a page may skip: deeper pages would make the database walk and
     *        throw away every row before them, so past it the client is sent to the cursor
     */
    public static PageRequest parse(String page, String pageSize, String cursor, String count, int maxOffset) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        int pageNumber = parseInt("page", page, 1, 1, Integer.MAX_VALUE, errors);
        int size = parseInt("page_size", pageSize, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, errors);
        if (errors.isEmpty() && (long) (pageNumber - 1) * size > maxOffset) {
            errors.put("page", List.of("must be at most " + (maxOffset / size + 1) + " with page_size " + size
                    + "; to go further, follow next_cursor (the cursor parameter)"));
        }
        boolean wantCount = false;
        if (count != null) {
            switch (count) {
                case "true" -> wantCount = true;
                case "false" -> wantCount = false;
                default -> errors.put("count", List.of("must be true or false"));
            }
        }
        if (cursor != null && cursor.isBlank()) {
            errors.put("cursor", List.of("is not a valid cursor"));
        }
        if (cursor != null && page != null) {
            errors.put("page", List.of("cannot be combined with cursor"));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, "The query parameters are not valid", errors);
        }
        return new PageRequest(pageNumber, size, cursor, wantCount);
    }

    private static int parseInt(String name, String raw, int fallback, int min, int max,
            Map<String, List<String>> errors) {
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                errors.put(name, List.of(max == Integer.MAX_VALUE
                        ? "must be at least " + min
                        : "must be between " + min + " and " + max));
            }
            return value;
        } catch (NumberFormatException e) {
            errors.put(name, List.of("must be a whole number"));
            return fallback;
        }
    }
}
