package dev.parley.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.Ids;
import dev.parley.error.Problems;
import dev.parley.events.SseStream;
import dev.parley.events.StreamLimits;
import dev.parley.message.Message;
import dev.parley.message.MessageService;
import dev.parley.message.SiblingPosition;
import dev.parley.message.MessageView;
import dev.parley.security.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/conversations/{conversationId}/messages/{messageId}/stream")
@Tag(name = "Messages", description = "Messages of one of the caller's conversations")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
public class ReplyStreamResource {

    private static final String DESCRIPTION = "A pending reply streams its text as it is generated (on any replica): "
            + "`delta` {content} events, then `done` with the stored message, or `error` with a problem object "
            + "when the reply failed. A complete message sends its whole text as one delta, then `done`. Event ids "
            + "are `<message id>:<offset>` (the reply's length after the delta, in UTF-16 code units), "
            + "`<message id>:end` and `<message id>:error`; with `Last-Event-ID` the stream resumes after that "
            + "event, on any replica. Any number of clients may watch one reply; none of them drives it.";

    @Inject
    MessageService messages;

    @Inject
    ReplyStreams streams;

    @Inject
    StreamLimits limits;

    @Inject
    CurrentUser user;

    @Inject
    ObjectMapper json;

    @Context
    UriInfo uriInfo;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(operationId = "streamMessage", summary = "Stream a reply as it is generated, or resume it",
            description = DESCRIPTION)
    @APIResponse(responseCode = "200", description = "The reply's event stream", content = @Content(
            mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "429", description = "Too many open streams for this user or this instance",
            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                    schema = @Schema(type = SchemaType.INTEGER)))
    public void stream(@PathParam("conversationId") String conversationId,
            @PathParam("messageId") String messageId,
            @Parameter(description = "The id of the last event received; the stream resumes after it")
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        UUID cid = Ids.parse("conversation_id", conversationId);
        UUID mid = Ids.parse("message_id", messageId);
        Message message = messages.get(cid, mid);
        // Its place among its siblings, read now: the watcher's thread has no request to read it as.
        MessageView shown = messages.view(message);
        SiblingPosition position = new SiblingPosition(shown.siblingIndex(), shown.siblingCount());
        StreamLimits.Permit permit = limits.acquire(user.id());
        String path = uriInfo.getRequestUri().getPath();
        SseStream out = new SseStream(sink, sse);
        out.comment("watching");
        streams.watch(user.id(), message.id, ReplyStreams.resumeOffset(mid, lastEventId), out, permit,
                new ReplyStreams.Ending(
                        reply -> write(MessageView.of(reply, position)),
                        reply -> write(Problems.of(502, "The model provider failed to answer: "
                                + reply.metadata.getOrDefault("error", "unknown error"), path, null, null)),
                        reply -> write(Problems.of(404, "The message was deleted", path, null, null))));
    }

    private String write(Object data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an event", e);
        }
    }
}
