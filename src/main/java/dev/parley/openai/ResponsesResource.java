package dev.parley.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.assistant.ReplyListener;
import dev.parley.chat.ChatService;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/responses")
@Tag(name = OpenAiApi.TAG, description = OpenAiApi.TAG_DESCRIPTION)
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@APIResponse(responseCode = "400", description = "Invalid or unsupported field; param names it")
public class ResponsesResource {

    @Inject
    OpenAiResponses responses;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @RateLimited(RateLimiter.Kind.CHAT)
    @Operation(operationId = "openAiCreateResponse", summary = "Answer the input in a conversation (OpenAI)",
            description = "Stores the input in the conversation (a new one when none is named), generates the "
                    + "assistant's reply through Parley's provider and stores it. With stream: true the answer is "
                    + "server-sent events: response.created, response.in_progress, response.output_item.added, "
                    + "response.content_part.added, response.output_text.delta…, response.output_text.done, "
                    + "response.content_part.done, response.output_item.done, response.completed; a failed reply "
                    + "ends with error and response.failed. A failed reply is a response with status failed.")
    @APIResponse(responseCode = "200", description = "The response (JSON), or its event stream", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ResponseObject.class)),
            @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "404", description = "No such conversation for this user")
    public Response create(ResponseCreate body) {
        OpenAiResponses.Request request = responses.validate(body);
        ChatService.Started started = responses.start(request);
        if (!request.stream()) {
            return Response.ok(responses.finish(started, request, ReplyListener.NONE))
                    .type(MediaType.APPLICATION_JSON_TYPE).build();
        }
        return Response.ok(new ResponseStream(responses, json, started, request))
                .type(MediaType.SERVER_SENT_EVENTS_TYPE).header("Cache-Control", "no-cache").build();
    }

    @GET
    @Path("/{responseId}")
    @Produces(MediaType.APPLICATION_JSON)
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "openAiGetResponse", summary = "Get a stored response (OpenAI)")
    @APIResponse(responseCode = "200", description = "The response",
            content = @Content(schema = @Schema(implementation = ResponseObject.class)))
    public ResponseObject get(@PathParam("responseId") String responseId) {
        return responses.get(responseId);
    }
}
