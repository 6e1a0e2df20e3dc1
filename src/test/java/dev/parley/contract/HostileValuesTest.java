package dev.parley.contract;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.sessions.JqwikSession;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Property: no value in any field or parameter produces a 5xx, and every refusal is problem+json.
 * jqwik generates the values (control characters, NUL, lone surrogates, huge and deeply nested
 * JSON, odd Unicode, wrong JSON types); the property runs inside the Quarkus test application, so
 * it draws them with jqwik's generators rather than its own test engine. The seed is fixed per
 * run and logged, so a failure can be replayed with -Dparley.fuzz.seed=….
 */
@QuarkusTest
public class HostileValuesTest {

    private static final Logger LOG = Logger.getLogger(HostileValuesTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRIES_PER_TARGET = Integer.getInteger("parley.fuzz.tries", 5);
    private static final RestAssuredConfig RAW = RestAssuredConfig.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private final long seed = Long.getLong("parley.fuzz.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private int sent;
    // One user for everything (fewer than its 600 writes a minute), so the paths name their own rows.
    private final String owner = newUser("fuzz");

    /** Text a hostile or buggy client sends. */
    static Arbitrary<String> hostileText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(8),
                Arbitraries.strings().withChars('\u0000', 'a', '%', '_', '\\', '\'', '"', '<', '>', '&', '/', '.')
                        .ofMaxLength(20),
                Arbitraries.of("", " ", "\u0000", "a\u0000b", "\uD800", "\uDFFF\uD800", "\uFEFF", "\uFFFF", "\u202E",
                        "e\u0301\u0301\u0301", "\uD83D\uDE00".repeat(50), "null", "true", "-1", "0", "1e999",
                        "9".repeat(400), "' OR 1=1 --", "%00", "../../etc/passwd", "${jndi:ldap://127.0.0.1/}",
                        "<script>alert(1)</script>", "\r\nX-Injected: 1", "01a22bb4-497c-785a-bf34-b31d0e7ffdba",
                        "00000000-0000-0000-0000-000000000000", "NaN", "Infinity", "\u0085\u2028\u2029"),
                Arbitraries.integers().between(1, 70_000).map(n -> "x".repeat(n)),
                Arbitraries.integers().between(1, 40_000).map(n -> "\uD83D\uDE00".repeat(n / 2 + 1)));
    }

    /** Any JSON value, wrong types and deep nesting included. */
    static Arbitrary<Object> hostileJson() {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                hostileText().map(s -> (Object) s),
                Arbitraries.longs().map(n -> (Object) n),
                Arbitraries.of(Double.MAX_VALUE, -0.0, 1e-300, Long.MIN_VALUE).map(n -> (Object) n),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(300).negate(), java.math.BigInteger.TEN.pow(300))
                        .map(n -> (Object) n),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
        Arbitrary<Object> nested = Arbitraries.integers().between(1, 300)
                .withDistribution(RandomDistribution.biased())
                .map(HostileValuesTest::nested);
        Arbitrary<Object> wide = Arbitraries.integers().between(1, 3000).map(n -> {
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                map.put("k" + i, "v".repeat(i % 50));
            }
            return (Object) map;
        });
        Arbitrary<Object> keyed = Arbitraries.maps(hostileText(), scalar).ofMaxSize(20).map(m -> (Object) m);
        Arbitrary<Object> listed = scalar.list().ofMaxSize(200).map(l -> (Object) l);
        Arbitrary<Object> listOfObjects = Arbitraries.maps(hostileText(), scalar).ofMaxSize(4).list().ofMaxSize(5)
                .map(l -> (Object) l);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, scalar), net.jqwik.api.Tuple.of(2, nested), net.jqwik.api.Tuple.of(1, wide),
                net.jqwik.api.Tuple.of(3, keyed), net.jqwik.api.Tuple.of(2, listed),
                net.jqwik.api.Tuple.of(2, listOfObjects));
    }

    private static Object nested(int depth) {
        Object value = "bottom";
        for (int i = 0; i < depth; i++) {
            value = i % 2 == 0 ? List.of(value) : Map.of("k\u0000".substring(0, 1 + i % 2), value);
        }
        return value;
    }

    /**
     * Query, path and header values: long enough to pass the 4 KiB request line and 16 KiB of
     * headers (414 and 431 problems), short enough to stay under the HTTP server's own 64 KiB
     * backstop once percent-encoded (at most 6 characters per UTF-16 unit).
     */
    private String urlValue() {
        String value = sample(hostileText());
        return value.length() > 8000 ? value.substring(0, 8000) : value;
    }

    private <T> T sample(Arbitrary<T> arbitrary) {
        return arbitrary.generator(1000).next(random).value();
    }

    @Test
    void no_generated_value_in_any_field_or_parameter_yields_a_5xx() throws Exception {
        LOG.infof("HostileValuesTest seed %d (replay with -Dparley.fuzz.seed=%d)", seed, seed);
        JqwikSession.start();
        try {
            run();
        } finally {
            JqwikSession.finish();
        }
    }

    private void run() {
        long start = System.nanoTime();
        String cid = createConversation(owner, Map.of("title", "fuzz", "auto_reply", false));
        String mid = addMessage(owner, cid, "user", "hello");
        String messages = "/api/conversations/" + cid + "/messages";

        Map<String, Object> conversation = Map.of("title", "t", "description", "d", "metadata", Map.of("a", "b"),
                "archived", false, "pinned", false, "auto_reply", false);
        Map<String, Object> message = Map.of("role", "user", "content", "c", "thread_id", "t", "endpoint", "e",
                "model", "m", "metadata", Map.of("a", 1), "tool_calls", List.of(Map.of("id", "x")));
        for (String field : conversation.keySet()) {
            bodies("POST", "/api/conversations", conversation, field);
            bodies("PATCH", "/api/conversations/" + cid, Map.of(), field);
            bodies("PUT", "/api/conversations/" + cid, conversation, field);
        }
        for (String field : List.of("role", "content", "text", "parent_id", "thread_id", "endpoint", "model",
                "metadata", "tool_calls")) {
            bodies("POST", messages, message, field);
            bodies("PATCH", messages + "/" + mid, Map.of(), field);
            bodies("PUT", messages + "/" + mid, message, field);
        }
        for (String field : List.of("message", "conversation_id")) {
            bodies("POST", "/api/chat", Map.of("message", "hi", "conversation_id", cid), field);
        }
        // Whole bodies of the wrong shape.
        for (String path : List.of("/api/conversations", messages, "/api/chat")) {
            for (int i = 0; i < TRIES_PER_TARGET; i++) {
                send("POST", path, r -> r.body(write(sample(hostileJson()))), "body");
            }
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("/api/conversations", List.of("q", "archived", "pinned", "page", "page_size", "cursor", "count"));
        params.put(messages, List.of("q", "role", "order", "page", "page_size", "cursor", "count"));
        params.put("/api/search", List.of("q", "page", "page_size", "cursor", "count"));
        params.forEach((path, names) -> {
            for (String name : names) {
                for (int i = 0; i < TRIES_PER_TARGET; i++) {
                    String value = urlValue();
                    send("GET", path, r -> {
                        if (path.equals("/api/search") && !name.equals("q")) {
                            r.queryParam("q", "hello");
                        }
                        return r.queryParam(name, value);
                    }, name + "=" + abbreviate(value));
                }
            }
        });
        for (String name : List.of("thread_id", "endpoint")) {
            for (int i = 0; i < TRIES_PER_TARGET; i++) {
                String value = urlValue();
                send("DELETE", "/api/conversations", r -> r.queryParam(name, value), name + "=" + abbreviate(value));
            }
        }
        for (String template : List.of("/api/conversations/{p}", "/api/conversations/{p}/messages",
                messages + "/{p}", "/api/users/{p}/chat")) {
            for (int i = 0; i < TRIES_PER_TARGET; i++) {
                String value = urlValue();
                String method = template.endsWith("chat") ? "POST" : "GET";
                send(method, template, r -> r.pathParam("p", value).body("{\"message\": \"hi\"}"),
                        template + " p=" + abbreviate(value));
            }
        }
        for (String header : List.of("If-Match", "Idempotency-Key", "X-Request-Id")) {
            for (int i = 0; i < TRIES_PER_TARGET; i++) {
                String value = urlValue();
                send(header.equals("If-Match") ? "PATCH" : "POST",
                        header.equals("If-Match") ? "/api/conversations/" + cid : "/api/conversations",
                        r -> r.header(header, value).body("{\"title\": \"h\"}"), header + ": " + abbreviate(value));
            }
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        LOG.infof("HostileValuesTest sent %d requests in %d s; statuses %s", sent, seconds, statuses);
        assertTrue(sent > 300, "the property ran: " + sent);
        assertEquals(List.of(), failures, "seed " + seed);
        // The conversation and its message survived everything thrown at them.
        given().header("Authorization", Tokens.bearer(owner)).get(messages + "/" + mid).then().statusCode(200);
    }

    private void bodies(String method, String path, Map<String, Object> base, String field) {
        for (int i = 0; i < TRIES_PER_TARGET; i++) {
            Object value = sample(hostileJson());
            Map<String, Object> body = new LinkedHashMap<>(base);
            body.put(field, value);
            send(method, path, r -> r.body(write(body)), field + "=" + abbreviate(String.valueOf(value)));
        }
    }

    private void send(String method, String path, Function<RequestSpecification, RequestSpecification> build,
            String what) {
        RequestSpecification request = given().config(RAW).urlEncodingEnabled(true)
                .header("Authorization", Tokens.bearer(owner)).contentType("application/json");
        Response response;
        try {
            response = build.apply(request).request(method, path);
        } catch (IllegalArgumentException e) {
            // The HTTP client itself refuses the value (a control character in a header, say): the
            // service never sees it.
            return;
        } catch (RuntimeException e) {
            failures.add(method + " " + path + " " + what + " -> " + e);
            return;
        }
        sent++;
        int status = response.statusCode();
        statuses.merge(status, 1, Integer::sum);
        String type = response.contentType();
        if (status >= 500) {
            failures.add(method + " " + path + " " + what + " -> " + status + " " + abbreviate(response.asString()));
        } else if (status >= 400 && (type == null || !type.startsWith("application/problem+json"))) {
            failures.add(method + " " + path + " " + what + " -> " + status + " without problem+json: " + type);
        }
    }


    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "…(" + text.length() + ")" : text;
        return shown.replace("\u0000", "\\0");
    }
}
