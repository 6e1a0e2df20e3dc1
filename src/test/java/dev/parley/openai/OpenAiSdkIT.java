package dev.parley.openai;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.conversations.Conversation;
import com.openai.models.conversations.ConversationCreateParams;
import com.openai.models.conversations.ConversationDeletedResource;
import com.openai.models.conversations.ConversationUpdateParams;
import com.openai.models.conversations.items.ConversationItem;
import com.openai.models.conversations.items.ConversationItemList;
import com.openai.models.conversations.items.ItemCreateParams;
import com.openai.models.conversations.items.ItemDeleteParams;
import com.openai.models.conversations.items.ItemListPage;
import com.openai.models.conversations.items.ItemListParams;
import com.openai.models.conversations.items.ItemRetrieveParams;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.parley.support.ExternalPostgres;
import dev.parley.support.FakeOpenAi;
import dev.parley.support.FakeOpenAiProvider;
import dev.parley.support.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK, unchanged but for its base URL, against the packaged jar: its
 * conversation, item and response calls, its auto-pagination, its event stream and its typed
 * exceptions all work on Parley's /v1, with an API key or a JWT as the SDK's api key. The model
 * behind Parley is a local fake of OpenAI's chat completions.
 */
@QuarkusIntegrationTest
@WithTestResource(ExternalPostgres.class)
@WithTestResource(FakeOpenAiProvider.class)
public class OpenAiSdkIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    static OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + RestAssured.port + "/v1")
                .apiKey(apiKey)
                // A retried POST would store its input twice; every call here must succeed the first time.
                .maxRetries(0)
                .build();
    }

    static String apiKey(String user) {
        return as(user).body(Map.of("name", "sdk", "scopes", List.of("read", "write", "chat"))).post("/api/keys")
                .then().statusCode(201).extract().path("key");
    }

    static EasyInputMessage user(String text) {
        return EasyInputMessage.builder().role(EasyInputMessage.Role.USER).content(text).build();
    }

    static String text(ConversationItem item) {
        return item.message().orElseThrow().content().get(0).inputText().map(t -> t.text())
                .or(() -> item.message().orElseThrow().content().get(0).outputText().map(t -> t.text()))
                .orElseThrow();
    }

    static String outputText(Response response) {
        return response.output().stream()
                .flatMap(item -> item.message().stream())
                .flatMap(message -> message.content().stream())
                .flatMap(content -> content.outputText().stream())
                .map(t -> t.text())
                .collect(Collectors.joining());
    }

    @Test
    void should_run_a_whole_conversation_through_the_sdk_with_an_api_key() {
        String alice = newUser("alice");
        OpenAIClient sdk = client(apiKey(alice));

        Conversation conversation = sdk.conversations().create(ConversationCreateParams.builder()
                .metadata(ConversationCreateParams.Metadata.builder()
                        .putAdditionalProperty("topic", JsonValue.from("sdk")).build())
                .addItem(user("item 0"))
                .build());
        String cid = conversation.id();
        assertTrue(cid.matches("conv_[0-9a-f]{32}"), cid);
        assertEquals(Map.of("topic", "sdk"), conversation._metadata().convert(Map.class));
        assertTrue(conversation.createdAt() > 1_700_000_000L);
        assertEquals(cid, sdk.conversations().retrieve(cid).id());

        // 24 more items, in two calls (at most 20 each).
        for (int call = 0; call < 2; call++) {
            ItemCreateParams.Builder items = ItemCreateParams.builder();
            for (int i = 1; i <= 12; i++) {
                items.addItem(user("item " + (call * 12 + i)));
            }
            ConversationItemList added = sdk.conversations().items().create(cid, items.build());
            assertEquals(12, added.data().size());
            assertEquals(added.data().get(0).message().orElseThrow().id(), added.firstId());
            assertFalse(added.hasMore());
        }

        // Pages of 7 in creation order: the SDK follows last_id as after while has_more says so.
        ItemListParams ascending = ItemListParams.builder().limit(7L).order(ItemListParams.Order.ASC).build();
        ItemListPage first = sdk.conversations().items().list(cid, ascending);
        assertEquals(7, first.data().size());
        assertTrue(first.hasMore().orElseThrow());
        List<String> all = first.autoPager().stream().map(OpenAiSdkIT::text).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= 24; i++) {
            expected.add("item " + i);
        }
        assertEquals(expected, all);

        // A response in the conversation, made by the model behind Parley.
        FakeOpenAi model = FakeOpenAiProvider.fake();
        model.requests.clear();
        Response response = sdk.responses().create(ResponseCreateParams.builder()
                .model("gpt-4o-mini")
                .conversation(cid)
                .instructions("Be brief.")
                .input("What comes next?")
                .build());
        assertTrue(response.id().startsWith("resp_"));
        assertEquals(ResponseStatus.COMPLETED, response.status().orElseThrow());
        assertEquals(FakeOpenAiProvider.ANSWER, outputText(response));
        assertEquals(cid, response.conversation().orElseThrow().id());
        JsonNode sent = model.requests.get(0).body().path("messages");
        JsonNode last = sent.get(sent.size() - 1);
        assertEquals("user", last.path("role").asText());
        assertEquals("What comes next?", last.path("content").asText());
        assertEquals("Be brief.", sent.get(sent.size() - 2).path("content").asText());

        // Streamed: the SDK's event stream, with the model's three chunks as deltas.
        List<String> deltas = new ArrayList<>();
        List<Response> completed = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(
                ResponseCreateParams.builder().model("gpt-4o-mini").conversation(cid).input("And then?").build())) {
            stream.stream().forEach(event -> {
                event.outputTextDelta().ifPresent(delta -> deltas.add(delta.delta()));
                event.completed().ifPresent(done -> completed.add(done.response()));
                assertFalse(event.isError(), "no error event");
            });
        }
        assertEquals(List.of("Hello", " from", " Parley"), deltas);
        assertEquals(1, completed.size());
        Response streamed = completed.get(0);
        assertEquals(FakeOpenAiProvider.ANSWER, outputText(streamed));

        Response retrieved = sdk.responses().retrieve(streamed.id());
        assertEquals(streamed.id(), retrieved.id());
        assertEquals(FakeOpenAiProvider.ANSWER, outputText(retrieved));

        // Newest first by default: the last answer, then its question.
        List<ConversationItem> newest = sdk.conversations().items()
                .list(cid, ItemListParams.builder().limit(2L).build()).data();
        assertEquals(FakeOpenAiProvider.ANSWER, text(newest.get(0)));
        assertEquals("And then?", text(newest.get(1)));

        String itemId = newest.get(1).message().orElseThrow().id();
        assertEquals(itemId, sdk.conversations().items()
                .retrieve(itemId, ItemRetrieveParams.builder().conversationId(cid).build()).message().orElseThrow().id());
        assertEquals(cid, sdk.conversations().items()
                .delete(itemId, ItemDeleteParams.builder().conversationId(cid).build()).id());
        assertThrows(NotFoundException.class, () -> sdk.conversations().items()
                .retrieve(itemId, ItemRetrieveParams.builder().conversationId(cid).build()));

        Conversation updated = sdk.conversations().update(cid, ConversationUpdateParams.builder()
                .metadata(ConversationUpdateParams.Metadata.builder()
                        .putAdditionalProperty("topic", JsonValue.from("updated")).build())
                .build());
        assertEquals(Map.of("topic", "updated"), updated._metadata().convert(Map.class));

        ConversationDeletedResource deleted = sdk.conversations().delete(cid);
        assertEquals(cid, deleted.id());
        assertTrue(deleted.deleted());
        NotFoundException gone = assertThrows(NotFoundException.class, () -> sdk.conversations().retrieve(cid));
        assertEquals(404, gone.statusCode());
        assertEquals("not_found_error", gone.type().orElseThrow());
        assertTrue(gone.getMessage().contains("No conversation " + cid), gone.getMessage());
    }

    @Test
    void should_surface_refusals_as_the_sdks_typed_exceptions() {
        OpenAIClient sdk = client(apiKey(newUser("alice")));
        BadRequestException refused = assertThrows(BadRequestException.class, () -> sdk.responses().create(
                ResponseCreateParams.builder().model("gpt-4o-mini").input("hi").store(false).build()));
        assertEquals("store", refused.param().orElseThrow());
        assertEquals("invalid_request_error", refused.type().orElseThrow());
        assertTrue(refused.getMessage().contains("store"), refused.getMessage());

        UnauthorizedException unauthorized = assertThrows(UnauthorizedException.class,
                () -> client("pk_live_" + "x".repeat(43)).conversations().create());
        assertEquals("invalid_api_key", unauthorized.code().orElseThrow());
    }

    @Test
    void should_take_a_jwt_as_the_sdks_api_key_and_keep_users_apart() {
        String alice = newUser("alice");
        OpenAIClient aliceSdk = client(Tokens.forUser(alice));
        OpenAIClient bobSdk = client(Tokens.forUser(newUser("bob")));

        Conversation conversation = aliceSdk.conversations().create();
        Response response = aliceSdk.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
                .conversation(conversation.id()).input("Hello").build());
        assertEquals(FakeOpenAiProvider.ANSWER, outputText(response));

        assertThrows(NotFoundException.class, () -> bobSdk.conversations().retrieve(conversation.id()));
        assertThrows(NotFoundException.class, () -> bobSdk.conversations().items().list(conversation.id()));
        assertThrows(NotFoundException.class, () -> bobSdk.responses().retrieve(response.id()));
        assertThrows(NotFoundException.class, () -> bobSdk.responses().create(ResponseCreateParams.builder()
                .model("gpt-4o-mini").conversation(conversation.id()).input("intrusion").build()));
        assertEquals(2, aliceSdk.conversations().items().list(conversation.id()).data().size());
    }

    /**
     * The official TypeScript SDK too (.ci/openai-sdk/sdk-check.mjs, npm package openai pinned by its
     * lock file): two real clients in two languages. .ci/run installs it before the build; without
     * its node_modules this test is skipped and says how to install it.
     */
    @Test
    void should_work_with_the_official_typescript_sdk() throws IOException, InterruptedException {
        Path dir = Path.of(".ci/openai-sdk");
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("node_modules/openai")),
                "The OpenAI TypeScript SDK is not installed: run (cd .ci/openai-sdk && npm ci), as .ci/run does");
        ProcessBuilder node = new ProcessBuilder("node", "sdk-check.mjs").directory(dir.toFile())
                .redirectErrorStream(true);
        node.environment().put("PARLEY_BASE_URL", "http://127.0.0.1:" + RestAssured.port + "/v1");
        node.environment().put("PARLEY_API_KEY", apiKey(newUser("typescript")));
        Process process = node.start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "node finished");
        assertEquals(0, process.exitValue(), output);
        String json = output.strip().lines().reduce((a, b) -> b).orElseThrow();
        JsonNode seen = JSON.readTree(json);
        assertEquals(5, seen.path("paged").asInt(), output);
        assertEquals(FakeOpenAiProvider.ANSWER, seen.path("output_text").asText(), output);
        assertEquals(List.of("Hello", " from", " Parley"),
                JSON.convertValue(seen.path("deltas"), List.class), output);
        assertEquals(FakeOpenAiProvider.ANSWER, seen.path("streamed_text").asText(), output);
        assertEquals("not_found_error", seen.path("not_found").asText(), output);
    }
}
