package dev.parley.common;

/** LIKE patterns that match the user's text literally: % and _ are not wildcards here. */
public final class Like {

    private Like() {
    }

    public static String contains(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8).append('%');
        for (char c : text.toCharArray()) {
            if (c == '%' || c == '_' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('%').toString();
    }
}
