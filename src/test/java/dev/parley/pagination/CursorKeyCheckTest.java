package dev.parley.pagination;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

/** The production start-up check of the cursor key (the integration test starts the real jar without it). */
class CursorKeyCheckTest {

    @Test
    void production_refuses_the_placeholder_and_names_the_variable() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> CursorCodec.requireRealKey(LaunchMode.NORMAL, CursorCodec.PLACEHOLDER_KEY));
        assertTrue(refused.getMessage().contains("PARLEY_PAGINATION_CURSOR_KEY"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> CursorCodec.requireRealKey(LaunchMode.NORMAL, " "));
        assertDoesNotThrow(() -> CursorCodec.requireRealKey(LaunchMode.NORMAL, "a-real-secret"));
        assertDoesNotThrow(() -> CursorCodec.requireRealKey(LaunchMode.DEVELOPMENT, CursorCodec.PLACEHOLDER_KEY));
        assertDoesNotThrow(() -> CursorCodec.requireRealKey(LaunchMode.TEST, CursorCodec.PLACEHOLDER_KEY));
    }
}
