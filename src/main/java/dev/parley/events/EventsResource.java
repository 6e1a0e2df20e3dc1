package dev.parley.events;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.security.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/events")
@Tag(name = "Events", description = "Live updates: the caller's changes as Server-Sent Events, across replicas")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
public class EventsResource {

    /** Missed events sent on a resume, at most; a client further behind is told to resync. */
    static final int MAX_MISSED = 5000;

    private static final String DESCRIPTION = "Streams the caller's changes as they are committed on any replica: "
            + "`conversation.created|updated|deleted`, `message.created|updated|deleted`, "
            + "`reply.delta|complete|failed`. Each event has an `id`; a client that reconnects with "
            + "`Last-Event-ID` gets what it missed, if the id is still within the retention window "
            + "(parley.streams.event-retention), else a `resync` event telling it to reload. Comment lines "
            + "arrive every parley.streams.heartbeat-every; the server ends the stream with a `retry` hint "
            + "after parley.streams.max-duration and on shutdown.";

    @Inject
    ChangeFeed feed;

    @Inject
    ChangeEventLog log;

    @Inject
    StreamLimits limits;

    @Inject
    StreamsConfig config;

    @Inject
    CurrentUser user;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(operationId = "events", summary = "Stream the caller's changes (Server-Sent Events)",
            description = DESCRIPTION)
    @APIResponse(responseCode = "200", description = "The event stream; it stays open", content = @Content(
            mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "429", description = "Too many open streams for this user or this instance",
            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                    schema = @Schema(type = SchemaType.INTEGER)))
    public void events(
            @Parameter(description = "The id of the last event received; the stream resumes after it")
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        StreamLimits.Permit permit = limits.acquire(user.id());
        FeedStream stream = new FeedStream(new SseStream(sink, sse), permit, config);
        try {
            stream.subscribed(feed.subscribe(user.id(), stream));
            // The response starts now, so a client knows it is subscribed once it sees this.
            new SseStream(sink, sse).comment("subscribed");
            if (lastEventId != null && !lastEventId.isBlank()) {
                resume(stream, lastEventId.strip());
            }
            stream.live();
        } catch (RuntimeException e) {
            stream.end();
            throw e;
        }
    }

    private void resume(FeedStream stream, String lastEventId) {
        long after;
        try {
            after = Long.parseLong(lastEventId);
        } catch (NumberFormatException e) {
            stream.resync(log.latestId(), "unknown event id");
            return;
        }
        if (!log.retained(after)) {
            stream.resync(log.latestId(), "event id older than the retention window");
            return;
        }
        List<ChangeEvent> missed = log.after(after, MAX_MISSED + 1);
        if (missed.size() > MAX_MISSED) {
            stream.resync(log.latestId(), "too many missed events");
            return;
        }
        missed.forEach(stream::missed);
    }
}
