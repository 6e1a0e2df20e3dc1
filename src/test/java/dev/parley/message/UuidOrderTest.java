package dev.parley.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Sibling positions worked out in memory order ids as PostgreSQL's uuid type does. */
class UuidOrderTest {

    @Test
    void ids_are_ordered_as_unsigned_bytes_like_postgresql() {
        List<UUID> expected = List.of(
                UUID.fromString("00000000-0000-4000-8000-000000000000"),
                UUID.fromString("7fffffff-ffff-4fff-8000-000000000000"),
                UUID.fromString("80000000-0000-4000-8000-000000000000"),
                UUID.fromString("80000000-0000-4000-ffff-ffffffffffff"),
                UUID.fromString("ffffffff-ffff-4fff-8000-000000000000"));
        List<UUID> ids = new ArrayList<>(expected.reversed());
        ids.sort(MessageTree::uuidOrder);
        assertEquals(expected, ids);
        // UUID's own order compares signed halves and would put 8…/f… first.
        List<UUID> signed = new ArrayList<>(expected);
        signed.sort(UUID::compareTo);
        assertEquals(expected.get(2), signed.get(0));
    }
}
