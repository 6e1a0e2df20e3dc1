package dev.parley.common;

import dev.parley.error.ProblemException;

/** Query parameters taken as text and checked here, so a bad one is a 400 that names it. */
public final class QueryFlags {

    private static final int MAX_TEXT = 500;

    private QueryFlags() {
    }

    public static Boolean parse(String name, String raw) {
        if (raw == null) {
            return null;
        }
        return switch (raw) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ProblemException.badRequest(name, "must be true or false");
        };
    }

    /** Free text for a filter: at most 500 characters, no NUL (PostgreSQL cannot compare it). */
    public static String text(String name, String raw) {
        if (raw == null) {
            return null;
        }
        if (raw.length() > MAX_TEXT) {
            throw ProblemException.badRequest(name, "must be at most " + MAX_TEXT + " characters");
        }
        if (raw.indexOf('\u0000') >= 0) {
            throw ProblemException.badRequest(name, "must not contain NUL characters");
        }
        return raw;
    }
}
