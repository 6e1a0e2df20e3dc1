package dev.parley.assistant;

import dev.parley.message.Role;

/** One message of the history a model sees. */
public record Turn(Role role, String content) {
}
