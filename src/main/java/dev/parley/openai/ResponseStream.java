package dev.parley.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.chat.ChatService;
import dev.parley.error.ProblemException;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A response streamed as OpenAI's server-sent events. The input is already stored and the reply
 * claimed when the stream starts; the deltas come from the reply lifecycle's listener as the model
 * produces them. A client that goes away stops getting events; the reply is still generated and
 * stored, and GET /v1/responses/{id} shows it.
 */
final class ResponseStream implements StreamingOutput {

    private static final Logger LOG = Logger.getLogger(ResponseStream.class);

    private final OpenAiResponses responses;
    private final ObjectMapper json;
    private final ChatService.Started started;
    private final OpenAiResponses.Request request;
    private OutputStream out;
    private boolean gone;
    private int sequence;

    ResponseStream(OpenAiResponses responses, ObjectMapper json, ChatService.Started started,
            OpenAiResponses.Request request) {
        this.responses = responses;
        this.json = json;
        this.started = started;
        this.request = request;
    }

    @Override
    public void write(OutputStream output) {
        this.out = output;
        String id = OpenAiIds.response(started.conversationId(), started.claim().replyId());
        String itemId = OpenAiIds.item(OpenAiIds.MESSAGE, started.claim().replyId());
        String conversation = OpenAiIds.conversation(started.conversationId());
        ResponseObject inProgress = ResponseObject.of(id, started.claim().createdAt().getEpochSecond(), "in_progress",
                null, request.instructions(), "parley", List.of(), conversation);
        send("response.created", Map.of("response", inProgress));
        send("response.in_progress", Map.of("response", inProgress));
        send("response.output_item.added", Map.of("output_index", 0,
                "item", Item.message(itemId, "in_progress", "assistant", List.of())));
        send("response.content_part.added", part(itemId, Map.of("part", ContentPart.output(""))));
        StringBuilder text = new StringBuilder();
        ResponseObject done;
        try {
            done = responses.finish(started, request, delta -> {
                text.append(delta);
                send("response.output_text.delta", part(itemId, Map.of("delta", delta, "logprobs", List.of())));
            });
        } catch (ProblemException e) {
            send("error", error(e.getMessage()));
            return;
        } catch (RuntimeException e) {
            LOG.errorf(e, "Streaming response failed in conversation %s", started.conversationId());
            send("error", error("An unexpected error occurred"));
            return;
        }
        if (!"completed".equals(done.status())) {
            String message = done.error() == null ? "The reply is not finished" : done.error().get("message");
            send("error", error(message));
            send("failed".equals(done.status()) ? "response.failed" : "response.incomplete",
                    Map.of("response", done));
            return;
        }
        Item item = done.output().get(0);
        String full = item.content().get(0).text();
        send("response.output_text.done", part(itemId, Map.of("text", full, "logprobs", List.of())));
        send("response.content_part.done", part(itemId, Map.of("part", ContentPart.output(full))));
        send("response.output_item.done", Map.of("output_index", 0, "item", item));
        send("response.completed", Map.of("response", done));
    }

    /** OpenAI's error event: code, message and param at the top level. */
    private static Map<String, Object> error(String message) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("code", "server_error");
        event.put("message", message);
        event.put("param", null);
        return event;
    }

    private static Map<String, Object> part(String itemId, Map<String, Object> fields) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("item_id", itemId);
        event.put("output_index", 0);
        event.put("content_index", 0);
        event.putAll(fields);
        return event;
    }

    private void send(String type, Map<String, Object> fields) {
        if (gone) {
            return;
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("sequence_number", sequence++);
        event.putAll(fields);
        try {
            String frame = "event: " + type + "\ndata: " + json.writeValueAsString(event) + "\n\n";
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | RuntimeException e) {
            // Whatever the connection throws must not reach the model's stream, where it would fail
            // the reply: the client is gone, the reply is still generated and stored.
            LOG.debugf("Stream client gone: %s", e.toString());
            gone = true;
        }
    }
}
