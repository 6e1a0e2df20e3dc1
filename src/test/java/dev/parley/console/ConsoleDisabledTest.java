package dev.parley.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With parley.console.enabled=false the console is not there: its paths are unknown paths. */
@QuarkusTest
@TestProfile(ConsoleDisabledTest.Disabled.class)
public class ConsoleDisabledTest {

    public static class Disabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.console.enabled", "false");
        }
    }

    @Test
    void should_answer_every_console_path_and_the_root_with_a_404_problem() {
        for (String path : new String[] {"/", "/console", "/console/", "/console/index.html", "/console/console.js"}) {
            given().redirects().follow(false).get(path).then().statusCode(404)
                    .contentType("application/problem+json")
                    .body("status", equalTo(404))
                    .body("instance", equalTo(path));
        }
    }
}
