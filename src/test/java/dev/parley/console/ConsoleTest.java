package dev.parley.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files, as the server sends them: where, with which policy, and how big. */
@QuarkusTest
public class ConsoleTest {

    static final String[] POLICY = {"default-src 'self'", "script-src 'self'", "style-src 'self'",
        "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"};

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void should_redirect_the_root_and_the_bare_path_to_the_console() {
        given().redirects().follow(false).get("/").then().statusCode(302)
                .header("Location", endsWith("/console/"));
        given().redirects().follow(false).get("/console").then().statusCode(302)
                .header("Location", endsWith("/console/"));
    }

    @Test
    void should_serve_the_page_with_a_strict_content_security_policy() {
        for (String path : new String[] {"/console/", "/console/console.js", "/console/console.css"}) {
            var response = given().get(path).then().statusCode(200)
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "no-referrer")
                    .extract();
            String csp = response.header("Content-Security-Policy");
            for (String directive : POLICY) {
                assertTrue(csp != null && csp.contains(directive), path + " lacks " + directive + " in " + csp);
            }
            assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        }
        given().get("/console/").then().contentType(startsWith("text/html"))
                .body(containsString("<script type=\"module\" src=\"console.js\"></script>"));
        given().get("/console/console.js").then().contentType(allOf(containsString("javascript"), not(containsString("html"))));
        given().get("/console/console.css").then().contentType(startsWith("text/css"));
    }

    @Test
    void should_keep_the_page_free_of_inline_code_and_other_origins() {
        String html = given().get("/console/").then().extract().asString();
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "an inline script would be refused by the policy");
        assertFalse(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find(),
                "inline style or handler");
        for (String path : new String[] {"/console/", "/console/console.js", "/console/console.css"}) {
            String body = given().get(path).then().extract().asString();
            assertFalse(Pattern.compile("https?://").matcher(body).find(), path + " names another origin");
        }
        String js = given().get("/console/console.js").then().extract().asString();
        assertFalse(Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|eval\\(").matcher(js).find(),
                "the script builds nodes from text only");
    }

    @Test
    void should_stay_under_100_kilobytes_of_script_and_style() {
        int js = given().get("/console/console.js").then().statusCode(200).extract().asByteArray().length;
        int css = given().get("/console/console.css").then().statusCode(200).extract().asByteArray().length;
        assertTrue(js + css < 100 * 1024, "script " + js + " + style " + css + " bytes");
    }

    @Test
    void should_answer_unknown_console_paths_as_problems() {
        given().get("/console/nope.js").then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("instance", equalTo("/console/nope.js"));
    }
}
