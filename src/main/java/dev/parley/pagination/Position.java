package dev.parley.pagination;

import java.time.Instant;
import java.util.UUID;

/**
 * A row's place in a sorted list: its score when the list is ranked (else null), its time, and its
 * id as the tie-breaker. Keyset pages start after (or before) one.
 */
public record Position(Float score, Instant key, UUID id) {

    public Position(Instant key, UUID id) {
        this(null, key, id);
    }
}
