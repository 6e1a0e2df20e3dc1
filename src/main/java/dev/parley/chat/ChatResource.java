package dev.parley.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.assistant.ReplyStreams;
import dev.parley.events.SseStream;
import dev.parley.events.StreamLimits;
import dev.parley.error.Problem;
import dev.parley.idempotency.Idempotency;
import dev.parley.error.ProblemException;
import dev.parley.error.Problems;
import dev.parley.security.CurrentUser;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api")
@Tag(name = "Chat", description = "One round trip: store the user message, answer it, store the answer")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@APIResponse(responseCode = "400", description = "Blank or invalid message")
@APIResponse(responseCode = "404", description = "No such conversation for this user")
@APIResponse(responseCode = "409", description = "regenerate: the current reply is still being generated, or there "
        + "is nothing to answer yet")
@APIResponse(responseCode = "429", description = "Too many chat requests, or (streamed) too many open event streams")
@APIResponse(responseCode = "502", description = "The model provider failed; the user message and the failed reply are kept")
@APIResponse(responseCode = "503", description = "The reply was handed to another instance and is not finished yet; "
        + "it will be stored under the id the detail names")
public class ChatResource {

    // The JSON and the streamed variant share a path and method, so OpenAPI has one operation for
    // both; each Java method carries the same documentation so that either may be read first.
    private static final String CHAT = "Without conversation_id a conversation is created, titled after the message. "
            + "With Accept: text/event-stream the answer is streamed as Server-Sent Events: `delta` {content} "
            + "while it is produced, then `done` with the same object as the JSON answer, or `error` with a "
            + "problem object. Every event has an id (`<reply id>:<offset>`, `<reply id>:end`); the Location header "
            + "names the reply's stream (GET /api/conversations/{id}/messages/{messageId}/stream), where a client "
            + "that lost the connection resumes with Last-Event-ID: the reply is generated whether or not anyone "
            + "is connected.";
    private static final String ANSWER = "The stored message and the stored answer (JSON), or their event stream";
    private static final String CHAT_AS_USER = "Chat for the user named in the path, which must be the token's subject";

    @Inject
    ChatService chat;

    @Inject
    Idempotency idempotency;

    @Inject
    CurrentUser user;

    @Inject
    ObjectMapper json;

    @Context
    UriInfo uriInfo;

    @Inject
    CurrentVertxRequest request;

    @Inject
    StreamLimits limits;

    @Inject
    ReplyStreams streams;

    @POST
    @Path("/chat")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "chat", summary = "Send a message and get the assistant's answer", description = CHAT)
    @APIResponse(responseCode = "200", description = ANSWER, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatAnswer.class)),
            @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING))})
    @RateLimited(RateLimiter.Kind.CHAT)
    public Response chat(
            @Parameter(description = "Retries with the same key and body return the first answer")
            @HeaderParam(Idempotency.HEADER) String idempotencyKey, ChatInput input) {
        return answer(idempotencyKey, input);
    }

    @POST
    @Path("/chat")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(operationId = "chat", summary = "Send a message and get the assistant's answer", description = CHAT)
    @APIResponse(responseCode = "200", description = ANSWER, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatAnswer.class)),
            @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING))})
    @RateLimited(RateLimiter.Kind.CHAT)
    public void stream(ChatInput input, @Context SseEventSink sink, @Context Sse sse) {
        streamAnswer(input, sink, sse);
    }

    private Response answer(String idempotencyKey, ChatInput input) {
        return idempotency.run(idempotencyKey, "POST /api/chat", input, false, () -> {
            try {
                return Response.ok(chat.finish(start(input))).build();
            } catch (ProblemException e) {
                if (e.status() != 502) {
                    throw e;
                }
                // Both messages are stored: the 502 is the chat's outcome, which a retry with the
                // same key gets back instead of storing the user message again.
                return Problems.response(Problems.of(502, e.getMessage(), uriInfo.getRequestUri().getPath(), null,
                        request.getCurrent().response().headers().get(Problems.REQUEST_ID_HEADER)));
            }
        });
    }

    /**
     * Stores the chat, then watches its reply being generated apart from this request: a client
     * that goes away stops only its watching, and resumes with Last-Event-ID at the reply's stream,
     * which the Location header names.
     */
    private void streamAnswer(ChatInput input, SseEventSink sink, Sse sse) {
        StreamLimits.Permit permit = limits.acquire(user.id());
        ChatService.Started started;
        try {
            started = start(input);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        String path = uriInfo.getRequestUri().getPath();
        request.getCurrent().response().putHeader("Location", uriInfo.getBaseUriBuilder()
                .path("/api/conversations/{cid}/messages/{mid}/stream")
                .build(started.conversationId(), started.claim().replyId()).toString());
        SseStream out = new SseStream(sink, sse);
        out.comment("generating");
        chat.generateApart(started);
        streams.watch(started.claim().userId(), started.claim().replyId(), 0, out, permit, new ReplyStreams.Ending(
                reply -> write(chat.answer(started, reply)),
                reply -> write(problem(chat.failure(started), path)),
                reply -> write(Problems.of(404, "The reply was deleted", path, null, null))));
    }

    /**
     * The body says what to start: a message (in the conversation named, or a new one) or, with
     * regenerate, another answer at the conversation's current leaf.
     */
    private ChatService.Started start(ChatInput input) {
        if (input == null) {
            throw ProblemException.badRequest("message", "must not be blank");
        }
        if (!Boolean.TRUE.equals(input.regenerate())) {
            return chat.start(input.conversationId(), input.message(), List.of());
        }
        if (input.conversationId() == null) {
            throw ProblemException.badRequest("conversation_id", "is required with regenerate");
        }
        if (input.message() != null) {
            throw ProblemException.badRequest("message",
                    "must be omitted with regenerate (the current message is answered again)");
        }
        return chat.regenerate(input.conversationId());
    }

    private static Problem problem(ProblemException e, String path) {
        return Problems.of(e.status(), e.getMessage(), path, e.errors(), null);
    }

    private String write(Object data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an event", e);
        }
    }

    @POST
    @Path("/users/{userId}/chat")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "chatAsUser", summary = CHAT_AS_USER, description = CHAT)
    @APIResponse(responseCode = "200", description = ANSWER, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatAnswer.class)),
            @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "403", description = "The path names another user than the token")
    @RateLimited(RateLimiter.Kind.CHAT)
    public Response chatAs(@PathParam("userId") String userId,
            @Parameter(description = "Retries with the same key and body return the first answer")
            @HeaderParam(Idempotency.HEADER) String idempotencyKey, ChatInput input) {
        requireSelf(userId);
        return answer(idempotencyKey, input);
    }

    @POST
    @Path("/users/{userId}/chat")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(operationId = "chatAsUser", summary = CHAT_AS_USER, description = CHAT)
    @APIResponse(responseCode = "200", description = ANSWER, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatAnswer.class)),
            @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING))})
    @RateLimited(RateLimiter.Kind.CHAT)
    public void streamAs(@PathParam("userId") String userId, ChatInput input, @Context SseEventSink sink,
            @Context Sse sse) {
        requireSelf(userId);
        streamAnswer(input, sink, sse);
    }

    private void requireSelf(String userId) {
        if (!user.id().equals(userId)) {
            throw ProblemException.forbidden("The path names another user than the token's subject");
        }
    }
}
