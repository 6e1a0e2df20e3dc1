package dev.parley.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.ParleyProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What README promises of the packaged jar in its production profile, checked on the jar itself
 * started as a process: it refuses to start with the placeholder cursor key and says which variable
 * to set, and it carries neither the dev token endpoint nor the dev signing key.
 */
public class ProdJarIT {

    private static final Path APP = Path.of("target", "quarkus-app");

    private static EmbeddedPostgres database;

    @BeforeAll
    static void database() {
        database = ParleyProcess.database();
    }

    @AfterAll
    static void closeDatabase() throws IOException {
        database.close();
    }

    @Test
    void the_placeholder_cursor_key_stops_the_start_and_names_the_variable() {
        Map<String, String> settings = new HashMap<>();
        // Not set at all: the jar's own default, the placeholder, is what production would get.
        settings.put("PARLEY_PAGINATION_CURSOR_KEY", null);
        try (ParleyProcess parley = ParleyProcess.launch("parley-placeholder-key", database, settings)) {
            int exit = parley.awaitExit(Duration.ofSeconds(180));
            String log = parley.log();
            assertNotEquals(0, exit, log);
            assertTrue(log.contains("set PARLEY_PAGINATION_CURSOR_KEY to a secret"), log);
            assertTrue(!log.contains("Listening on"), "it never served a request:\n" + log);
        }
    }

    @Test
    void the_prod_jar_has_no_dev_token_endpoint() {
        try (ParleyProcess parley = ParleyProcess.start("parley-prod-profile", database, Map.of())) {
            given().baseUri(parley.baseUri()).get("/dev/token?sub=mallory").then().statusCode(404)
                    .contentType("application/problem+json")
                    .body("status", equalTo(404))
                    .body(not(containsString("eyJ")));
            given().baseUri(parley.baseUri()).get("/q/openapi?format=json").then().statusCode(200)
                    .body(containsString("/api/conversations"))
                    .body(not(containsString("/dev/token")));
        }
    }

    /**
     * No key file anywhere in the packaged application, and no PEM private key in any resource of
     * Parley's own code (the dev key lives under src/test/resources, and dev mode reads it from there).
     */
    @Test
    void the_prod_jar_holds_no_dev_key() throws IOException {
        List<String> found = new ArrayList<>();
        int entries = 0;
        try (Stream<Path> files = Files.walk(APP)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (isKeyName(name)) {
                    found.add(file.toString());
                }
                if (!name.endsWith(".jar")) {
                    continue;
                }
                // Parley's own jar and Quarkus's generated code; libraries (lib/) are checked by name only.
                boolean ownCode = !APP.relativize(file).startsWith("lib");
                try (ZipFile jar = new ZipFile(file.toFile())) {
                    for (Enumeration<? extends ZipEntry> all = jar.entries(); all.hasMoreElements(); ) {
                        ZipEntry entry = all.nextElement();
                        entries++;
                        if (isKeyName(entry.getName())) {
                            found.add(file + "!" + entry.getName());
                        } else if (ownCode && !entry.isDirectory() && !entry.getName().endsWith(".class")) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("PRIVATE KEY-----")) {
                                    found.add(file + "!" + entry.getName());
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(entries > 1000, "the packaged application was read: " + entries + " entries");
        assertEquals(List.of(), found);
    }

    private static boolean isKeyName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".pem") || lower.endsWith(".jwks") || lower.endsWith(".key") || lower.endsWith(".p12");
    }
}
