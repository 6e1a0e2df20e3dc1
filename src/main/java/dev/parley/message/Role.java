package dev.parley.message;

import com.fasterxml.jackson.annotation.JsonValue;

/** Who wrote a message. */
public enum Role {
    USER,
    ASSISTANT,
    SYSTEM,
    TOOL;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    @Override
    public String toString() {
        return wire();
    }

    /** The role named on the wire, or null when there is none of that name. */
    public static Role fromWire(String value) {
        for (Role role : values()) {
            if (role.wire().equals(value)) {
                return role;
            }
        }
        return null;
    }
}
