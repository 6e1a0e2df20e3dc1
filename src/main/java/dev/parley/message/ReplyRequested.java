package dev.parley.message;

import java.util.UUID;

/** A pending assistant reply was committed and can be generated. */
public record ReplyRequested(UUID replyId) {
}
