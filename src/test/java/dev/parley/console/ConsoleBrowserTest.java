package dev.parley.console;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.assistant.Assistant;
import dev.parley.assistant.Reply;
import dev.parley.assistant.Turn;
import dev.parley.support.Browser;
import dev.parley.support.ControllableAssistant;
import dev.parley.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real browser (headless Chromium) against the running app, signed in with real
 * tokens. Each test leaves a screenshot in target/console-screenshots.
 */
@QuarkusTest
public class ConsoleBrowserTest {

    static Browser browser;

    @TestHTTPResource("/console/")
    URL console;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void freshTab() {
        browser.size(Browser.DESKTOP);
        browser.driver.get(console.toString());
        browser.js("sessionStorage.clear()");
        browser.driver.get(console.toString());
    }

    @AfterEach
    void screenshot(TestInfo test) {
        browser.screenshot(test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void should_sign_in_and_show_a_streamed_reply_as_it_arrives_and_after_a_reload() {
        HeldStream assistant = new HeldStream("Here is the first part", ", and here is the rest.");
        QuarkusMock.installMockForType(assistant, Assistant.class);
        String user = newUser("alice");
        signIn(user);
        assertEquals("Signed in as " + user, browser.visible("#who").getText());
        assertTrue(browser.all("#dev-signin-box").stream().noneMatch(WebElement::isDisplayed),
                "the dev sign-in is offered only where the dev token endpoint exists");

        browser.visible("#new-conversation").click();
        browser.visible("#message").sendKeys("Plan a trip to Lisbon", Keys.ENTER);

        // The first delta is on screen while the reply is still being written.
        WebElement streaming = browser.await(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("li[data-streaming] .content"));
            return !found.isEmpty() && found.get(0).getText().equals("Here is the first part") ? found.get(0) : null;
        });
        assertEquals("pending", browser.find("li[data-streaming]").getAttribute("data-status"));
        assistant.release.countDown();

        String full = "Here is the first part, and here is the rest.";
        // Then what the server stored replaces what was streamed.
        browser.await(d -> messageTexts().equals(List.of("Plan a trip to Lisbon", full))
                && attributes("#messages li", "data-status").equals(List.of("complete", "complete"))
                && !attributes("#messages li", "data-id").contains(null));
        assertEquals(List.of("user", "assistant"), attributes("#messages li", "data-role"));
        String conversationId = browser.await(d -> {
            String hash = (String) browser.js("return location.hash");
            return hash.startsWith("#/c/") ? hash.substring(4) : null;
        });
        browser.await(d -> titles().contains("Plan a trip to Lisbon"));
        as(user).get("/api/conversations/{id}/messages", conversationId).then().statusCode(200)
                .body("results.content", equalTo(List.of("Plan a trip to Lisbon", full)));

        browser.driver.navigate().refresh();
        browser.await(d -> messageTexts().equals(List.of("Plan a trip to Lisbon", full)));
        assertEquals("Plan a trip to Lisbon", browser.visible("#conversation-title").getText());
        assertEquals("Signed in as " + user, browser.visible("#who").getText(), "the token survives a reload");
        assertFalse(browser.driver.getCurrentUrl().contains(Tokens.forUser(user).substring(0, 20)));
    }

    @Test
    void should_find_messages_with_the_matches_highlighted_and_the_rest_as_text() {
        String user = newUser("searcher");
        String cid = createConversation(user, Map.of("title", "Holiday", "auto_reply", false));
        addMessage(user, cid, "user", "Fish & chips near the <b>hotel</b> by the river");
        addMessage(user, cid, "user", "Nothing to see here");
        signIn(user);

        WebElement box = browser.visible("#search-q");
        box.sendKeys("hotels", Keys.ENTER);
        WebElement snippet = browser.visible("#hits .snippet");
        assertEquals("Fish & chips near the <b>hotel</b> by the river", snippet.getText());
        List<WebElement> marks = snippet.findElements(By.tagName("mark"));
        assertEquals(1, marks.size());
        assertEquals("hotel", marks.get(0).getText());
        assertTrue(snippet.findElements(By.tagName("b")).isEmpty(), "markup in a message is text, not an element");
        assertEquals(1, browser.all("#hits li").size());
        assertEquals("Holiday", browser.find("#hits .title").getText());

        browser.find("#hits .hit-open").click();
        browser.await(d -> messageTexts().contains("Nothing to see here"));
        assertEquals("Holiday", browser.visible("#conversation-title").getText());
    }

    @Test
    void should_show_a_second_user_none_of_the_first_users_conversations() {
        String alice = newUser("alice");
        String secret = createConversation(alice, Map.of("title", "Alice's surprise party", "auto_reply", false));
        addMessage(alice, secret, "user", "The surprise party is on Friday");
        String bob = newUser("bob");
        signIn(bob);

        browser.await(d -> d.findElement(By.id("list-status")).getText().equals("No conversations yet."));
        assertTrue(titles().isEmpty());
        browser.visible("#search-q").sendKeys("surprise", Keys.ENTER);
        browser.await(d -> d.findElement(By.id("search-status")).getText().equals("No message matches."));
        assertTrue(browser.all("#hits li").isEmpty());

        browser.js("location.hash = arguments[0]", "#/c/" + secret);
        browser.await(d -> d.findElement(By.id("conversation-title")).getText().equals("Conversation not found"));
        assertTrue(messageTexts().isEmpty());
        assertTrue(browser.find("#conversation-error").getText().startsWith("Not Found"),
                browser.find("#conversation-error").getText());
        assertFalse(browser.driver.getPageSource().contains("surprise party"));
    }

    @Test
    void should_render_markup_from_the_server_as_text_and_run_none_of_it() {
        String user = newUser("mallory");
        String payload = "rocket <script>window.parleyPwned = 'script'</script><img src=x onerror=\"window.parleyPwned = 'img'; alert(1)\">";
        String cid = createConversation(user, Map.of("title", "<img src=x onerror=alert(2)> title", "auto_reply", false));
        addMessage(user, cid, "user", payload);
        signIn(user);

        browser.await(d -> titles().contains("<img src=x onerror=alert(2)> title"));
        browser.visible(".conversation-item").click();
        browser.await(d -> messageTexts().equals(List.of(payload)));
        assertEquals("<img src=x onerror=alert(2)> title", browser.visible("#conversation-title").getText());

        // The same text typed into the composer goes through the streamed send and is shown as text too.
        browser.visible("#message").sendKeys(payload, Keys.ENTER);
        browser.await(d -> messageTexts().size() == 3 && messageTexts().get(1).equals(payload));
        browser.visible("#search-q").sendKeys("rocket", Keys.ENTER);
        browser.await(d -> d.findElements(By.cssSelector("#hits .snippet mark")).size() == 2);
        assertTrue(browser.find("#hits .snippet").getText().startsWith("rocket <script>window.parleyPwned"),
                browser.find("#hits .snippet").getText());

        assertTrue(browser.all("body script, body img, body iframe, body object").isEmpty(),
                "no element was made from a server string");
        assertNull(browser.js("return window.parleyPwned === undefined ? null : window.parleyPwned"));
        assertThrows(NoAlertPresentException.class, () -> browser.driver.switchTo().alert());
    }

    @Test
    void should_refuse_html_sinks_and_inline_script_under_its_content_security_policy() {
        signIn(newUser("csp"));
        browser.visible("#new-conversation");
        // Trusted Types (require-trusted-types-for 'script') make every HTML-parsing sink throw.
        assertEquals("TypeError", browser.js(
                "try { document.createElement('div').innerHTML = '<b>x</b>'; return 'allowed'; } catch (e) { return e.name; }"));
        // So does giving a script element inline code, which script-src 'self' would not run anyway.
        assertEquals("TypeError", browser.js("try { document.createElement('script').textContent = 'window.ran = 1';"
                + " return 'allowed'; } catch (e) { return e.name; }"));
        assertNull(browser.js("return window.ran === undefined ? null : window.ran"));
    }

    @Test
    void should_page_filter_rename_pin_archive_and_delete_conversations() {
        String user = newUser("organiser");
        for (int i = 1; i <= 34; i++) {
            createConversation(user, Map.of("title", String.format("Trip %02d", i), "auto_reply", false));
        }
        String kept = createConversation(user, Map.of("title", "Budget", "auto_reply", false));
        signIn(user);

        // Most recent first; the rest comes in as the list is scrolled to its end.
        browser.await(d -> titles().size() >= 30);
        assertEquals(List.of("Budget", "Trip 34", "Trip 33"), titles().subList(0, 3));
        browser.js("document.getElementById('list-more').scrollIntoView()");
        browser.await(d -> titles().size() == 35);
        assertEquals("Trip 01", titles().get(34));

        browser.visible("#filter-q").sendKeys("budg");
        browser.await(d -> titles().equals(List.of("Budget")));

        browser.visible(".conversation-item").click();
        browser.await(d -> d.findElement(By.id("conversation-title")).getText().equals("Budget"));
        browser.visible("#rename").click();
        WebElement title = browser.visible("#dialog-input");
        title.clear();
        title.sendKeys("Budget 2027", Keys.ENTER);
        browser.await(d -> d.findElement(By.id("conversation-title")).getText().equals("Budget 2027"));
        as(user).get("/api/conversations/{id}", kept).then().body("title", equalTo("Budget 2027"));

        browser.visible("#pin").click();
        browser.await(d -> "true".equals(d.findElement(By.id("pin")).getAttribute("aria-pressed")));
        browser.find("#filter-q").clear();
        browser.find("#filter-q").sendKeys(" ", Keys.BACK_SPACE);
        new Select(browser.find("#filter-kind")).selectByValue("pinned");
        browser.await(d -> titles().equals(List.of("Budget 2027")));

        browser.visible("#archive").click();
        browser.await(d -> "true".equals(d.findElement(By.id("archive")).getAttribute("aria-pressed")));
        browser.await(d -> titles().isEmpty());
        new Select(browser.find("#filter-kind")).selectByValue("archived");
        browser.await(d -> titles().equals(List.of("Budget 2027")));

        // Delete asks first; cancelling keeps the conversation.
        browser.visible("#delete").click();
        assertTrue(browser.visible("#dialog-text").getText().startsWith("Delete “Budget 2027”"));
        browser.find("#dialog-cancel").click();
        as(user).get("/api/conversations/{id}", kept).then().statusCode(200);
        browser.visible("#delete").click();
        browser.visible("#dialog-ok").click();
        browser.await(d -> titles().isEmpty());
        as(user).get("/api/conversations/{id}", kept).then().statusCode(404);
        as(user).get("/api/conversations?page_size=100").then().body("results", hasSize(34));
    }

    @Test
    void should_show_pending_replies_live_and_retry_failed_ones() {
        ControllableAssistant held = ControllableAssistant.heldBack("Worth the wait.");
        QuarkusMock.installMockForType(held, Assistant.class);
        String user = newUser("patient");
        String cid = createConversation(user, "Waiting room");
        addMessage(user, cid, "user", "Are you there?");
        signIn(user);
        browser.visible(".conversation-item").click();
        browser.await(d -> attributes("#messages li", "data-status").equals(List.of("complete", "pending")));
        held.release.countDown();
        browser.await(d -> messageTexts().equals(List.of("Are you there?", "Worth the wait.")));
        assertEquals(List.of("complete", "complete"), attributes("#messages li", "data-status"));

        QuarkusMock.installMockForType(ControllableAssistant.failing("upstream down"), Assistant.class);
        browser.visible("#message").sendKeys("Still there?", Keys.ENTER);
        browser.await(d -> attributes("#messages li", "data-status").equals(
                List.of("complete", "complete", "complete", "failed")));
        assertEquals("The reply failed: upstream down", browser.visible("#messages li[data-status=failed] .reply-error").getText());
        assertTrue(browser.visible("#conversation-error").getText().startsWith("Bad Gateway"),
                browser.find("#conversation-error").getText());

        QuarkusMock.installMockForType(ControllableAssistant.answering(history -> Reply.text("Back again.")),
                Assistant.class);
        browser.visible("#messages li[data-status=failed] .retry").click();
        browser.await(d -> messageTexts().size() == 6 && !attributes("#messages li", "data-id").contains(null));
        assertEquals(List.of("Still there?", "Back again."), messageTexts().subList(4, 6));
        assertEquals(List.of("complete", "complete", "complete", "failed", "complete", "complete"),
                attributes("#messages li", "data-status"));
    }

    @Test
    void should_fit_a_360_pixel_screen_one_pane_at_a_time() {
        String user = newUser("phone");
        String cid = createConversation(user, Map.of("title", "A rather long conversation title that has to wrap somewhere",
                "auto_reply", false));
        addMessage(user, cid, "user", "A long message without spaces: " + "abcdefghij".repeat(12));
        addMessage(user, cid, "assistant", "Short answer.");
        browser.size(Browser.PHONE);
        signIn(user);

        browser.visible(".conversation-item");
        assertFalse(browser.find("#main").isDisplayed(), "the list fills the screen on its own");
        assertNoHorizontalScroll();
        browser.find(".conversation-item").click();
        browser.await(d -> messageTexts().size() == 2);
        assertFalse(browser.find("#sidebar").isDisplayed(), "the conversation fills the screen on its own");
        assertTrue(browser.visible("#back").isDisplayed());
        assertTrue(browser.visible("#send").isDisplayed());
        long viewport = (Long) browser.js("return window.innerHeight");
        long sendBottom = ((Number) browser.js(
                "return Math.ceil(document.getElementById('send').getBoundingClientRect().bottom)")).longValue();
        assertTrue(sendBottom <= viewport, "the composer is on screen: " + sendBottom + " > " + viewport);
        assertNoHorizontalScroll();

        browser.find("#back").click();
        browser.await(d -> d.findElement(By.id("sidebar")).isDisplayed());
        browser.find(".conversation-item").click();
        browser.await(d -> messageTexts().size() == 2);
    }

    @Test
    void should_follow_the_systems_light_or_dark_preference() {
        String user = newUser("night");
        String lisbon = createConversation(user, Map.of("title", "Trip to Lisbon", "auto_reply", false));
        createConversation(user, Map.of("title", "Reading list", "pinned", true, "auto_reply", false));
        String budget = createConversation(user, Map.of("title", "Budget 2027", "auto_reply", false));
        addMessage(user, budget, "user", "What did we spend on travel last year?");
        addMessage(user, lisbon, "user", "Find a hotel near the river, walking distance to Alfama.");
        addMessage(user, lisbon, "assistant", "Three hotels on the riverside fit: the first is a 10-minute walk from "
                + "Alfama, the second has a terrace, and the third is the quietest.\nWant me to compare prices?");
        addMessage(user, lisbon, "user", "Yes, for the first weekend of May.");
        addMessage(user, lisbon, "assistant", "For 2–4 May: 140 €, 185 € and 120 € a night.");
        signIn(user);
        browser.js("location.hash = arguments[0]", "#/c/" + lisbon);
        browser.await(d -> messageTexts().size() == 4);
        browser.screenshot("desktop-light");
        assertEquals("rgb(246, 247, 249)", browser.js("return getComputedStyle(document.body).backgroundColor"));

        dark(true);
        try {
            browser.await(d -> "rgb(20, 22, 26)".equals(browser.js("return getComputedStyle(document.body).backgroundColor")));
            browser.screenshot("desktop-dark");
            browser.size(Browser.PHONE);
            browser.await(d -> !d.findElement(By.id("sidebar")).isDisplayed());
            assertNoHorizontalScroll();
            browser.screenshot("phone-dark-conversation");
            browser.find("#back").click();
            browser.await(d -> d.findElement(By.id("sidebar")).isDisplayed());
            assertNoHorizontalScroll();
        } finally {
            dark(false);
        }
    }

    @Test
    void should_export_the_open_conversation_as_markdown_and_json_through_a_fetched_file() throws Exception {
        String user = newUser("exporter");
        String text = "Pack the umbrella & the <b>map</b> for Lisboa — café at 9";
        String cid = createConversation(user, Map.of("title", "Trip notes", "auto_reply", false));
        addMessage(user, cid, "user", text);
        signIn(user);
        browser.js("location.hash = arguments[0]", "#/c/" + cid);
        browser.await(d -> messageTexts().equals(List.of(text)));

        // Markdown, with the mouse.
        WebElement export = browser.visible("#export");
        assertEquals("false", export.getAttribute("aria-expanded"));
        export.click();
        assertEquals("true", export.getAttribute("aria-expanded"));
        browser.visible("#export-menu button[data-format=markdown]").click();
        Path markdown = browser.download("conversation-" + cid + ".md");
        assertEquals("# Trip notes\n\n**user**\n\n" + text + "\n\n", Files.readString(markdown));
        assertFalse(browser.find("#export-menu").isDisplayed(), "the menu closes once a format is chosen");
        assertEquals("", browser.find("#conversation-error").getText());

        // JSON, with the keyboard only, on a 360 px screen.
        browser.size(Browser.PHONE);
        browser.await(d -> !d.findElement(By.id("sidebar")).isDisplayed());
        browser.js("arguments[0].focus()", browser.visible("#export"));
        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.await(d -> "Export as Markdown".equals(d.switchTo().activeElement().getAttribute("aria-label")));
        assertNoHorizontalScroll();
        long right = ((Number) browser.js(
                "return Math.ceil(document.getElementById('export-menu').getBoundingClientRect().right)")).longValue();
        assertTrue(right <= (Long) browser.js("return document.documentElement.clientWidth"), "the menu is on screen: " + right);
        browser.screenshot("phone-export-menu");
        // Escape closes the menu and gives the focus back to Export.
        browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.await(d -> !d.findElement(By.id("export-menu")).isDisplayed());
        assertEquals("export", browser.driver.switchTo().activeElement().getAttribute("id"));
        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.await(d -> "Export as Markdown".equals(d.switchTo().activeElement().getAttribute("aria-label")));
        browser.driver.switchTo().activeElement().sendKeys(Keys.TAB);
        WebElement json = browser.driver.switchTo().activeElement();
        assertEquals("Export as JSON", json.getAttribute("aria-label"));
        json.sendKeys(Keys.ENTER);
        JsonPath file = JsonPath.from(Files.readString(browser.download("conversation-" + cid + ".json")));
        assertEquals("parley-export", file.getString("format"));
        assertEquals(List.of(cid), file.getList("conversations.id"));
        assertEquals("Trip notes", file.getString("conversations[0].title"));
        assertEquals(List.of(text), file.getList("conversations[0].messages.content"));
        assertEquals(List.of("user"), file.getList("conversations[0].messages.role"));

        // The temporary link is gone and the token never went into a URL.
        assertTrue(browser.all("a[download]").isEmpty());
        assertFalse(browser.driver.getCurrentUrl().contains(Tokens.forUser(user).substring(0, 20)));
    }

    private static void dark(boolean on) {
        browser.driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                List.of(Map.of("name", "prefers-color-scheme", "value", on ? "dark" : "light"))));
    }

    private void assertNoHorizontalScroll() {
        long scroll = (Long) browser.js("return document.documentElement.scrollWidth");
        long client = (Long) browser.js("return document.documentElement.clientWidth");
        assertTrue(scroll <= client, "the page scrolls sideways: " + scroll + " > " + client);
    }

    private void signIn(String user) {
        WebElement token = browser.visible("#token");
        token.sendKeys(Tokens.forUser(user));
        browser.find("#token-form button[type=submit]").click();
        browser.visible("#app");
    }

    // Read in one script, so a list re-rendered between two WebDriver calls is never half read.
    private static List<String> messageTexts() {
        return texts("#messages li .content");
    }

    private static List<String> titles() {
        return texts("#conversation-list .conversation-item .title");
    }

    @SuppressWarnings("unchecked")
    private static List<String> texts(String css) {
        return (List<String>) browser.js(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", css);
    }

    @SuppressWarnings("unchecked")
    private static List<String> attributes(String css, String name) {
        return (List<String>) browser.js(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))", css, name);
    }

    /** Streams its first part, then waits for the test before it sends the rest. */
    static final class HeldStream implements Assistant {

        final CountDownLatch release = new CountDownLatch(1);
        private final String first;
        private final String rest;

        HeldStream(String first, String rest) {
            this.first = first;
            this.rest = rest;
        }

        @Override
        public String provider() {
            return "test";
        }

        @Override
        public String model() {
            return "test-model";
        }

        @Override
        public Reply reply(List<Turn> history) {
            return Reply.text(first + rest);
        }

        @Override
        public Reply stream(List<Turn> history, Consumer<String> onDelta) {
            onDelta.accept(first);
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the rest of the reply");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            onDelta.accept(rest);
            return Reply.text(first + rest);
        }
    }
}
