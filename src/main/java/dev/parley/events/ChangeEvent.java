package dev.parley.events;

/**
 * One change a user can see, as stored in change_event.
 *
 * @param id the SSE event id; a client resumes after it with Last-Event-ID
 * @param type the SSE event name, e.g. {@code message.created}
 * @param data one line of JSON naming what changed
 */
public record ChangeEvent(long id, String type, String data) {
}
