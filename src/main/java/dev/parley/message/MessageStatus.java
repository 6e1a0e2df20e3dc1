package dev.parley.message;

import com.fasterxml.jackson.annotation.JsonValue;

/** Only assistant replies are ever pending or failed. */
public enum MessageStatus {
    COMPLETE,
    PENDING,
    FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }
}
