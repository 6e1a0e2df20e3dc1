package dev.parley.isolation;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parley.apikey.ApiKey;
import dev.parley.conversation.Conversation;
import dev.parley.message.Message;
import dev.parley.security.DatabaseIdentity;
import dev.parley.support.CapturedStatements;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The statics every Panache entity inherits, called on behalf of alice, see, count and delete
 * alice's rows only. Two walls keep them there: Hibernate adds the owner to every statement it
 * sends (the owner restriction), which the SQL captured here shows, and the database's row-level
 * security checks it again.
 */
@QuarkusTest
public class PanacheStaticsTest {

    /** The condition Hibernate adds, read from the identity the connection is set to. */
    private static final Pattern OWNER_CONDITION =
            Pattern.compile("user_id\\s*=\\s*current_setting\\(\\s*'parley\\.user_id'\\s*,\\s*true\\s*\\)");
    private static final Pattern CALLERS_CONDITION = Pattern.compile("user_id\\s*=\\s*\\?");

    String alice;
    String bob;
    UUID aliceConversation;
    UUID bobConversation;
    UUID bobMessage;

    @BeforeEach
    void twoUsers() {
        alice = newUser("alice");
        bob = newUser("bob");
        aliceConversation = UUID.fromString(createConversation(alice, "alice's"));
        addMessage(alice, aliceConversation.toString(), "assistant", "alice's note");
        bobConversation = UUID.fromString(createConversation(bob, "bob's"));
        bobMessage = UUID.fromString(addMessage(bob, bobConversation.toString(), "assistant", "bob's note"));
    }

    @Test
    void find_by_id_list_all_and_count_see_only_the_users_rows() {
        asAlice(() -> {
            assertNull(Message.findById(bobMessage), "bob's message by its id");
            assertNull(Conversation.findById(bobConversation), "bob's conversation by its id");
            assertNotNull(Conversation.findById(aliceConversation));
            List<Conversation> conversations = Conversation.listAll();
            assertEquals(List.of(alice), conversations.stream().map(c -> c.userId).distinct().toList());
            List<Message> messages = Message.listAll();
            assertEquals(List.of("alice's note"), messages.stream().map(m -> m.content).toList());
            assertEquals(1L, Conversation.count());
            assertEquals(1L, Message.count());
            assertEquals(0L, Message.count("conversationId", bobConversation));
            assertEquals(List.of(), Message.list("userId", bob));
            return null;
        });
    }

    @Test
    void delete_and_delete_all_remove_only_the_users_rows() {
        assertEquals(0L, asAlice(() -> Message.delete("userId", bob)));
        assertEquals(0L, asAlice(() -> Conversation.delete("id", bobConversation)));
        assertEquals(false, asAlice(() -> Message.deleteById(bobMessage)));
        assertEquals(1L, asAlice(() -> Message.deleteAll()));
        assertEquals(1L, asAlice(() -> Conversation.deleteAll()));
        DatabaseIdentity.asUser(bob, () -> QuarkusTransaction.requiringNew().run(() -> {
            assertNotNull(Message.findById(bobMessage), "bob's message is still there");
            assertEquals(1L, Conversation.count());
        }));
    }

    @Test
    void hibernate_itself_adds_the_owner_to_every_statement_of_the_statics() {
        Map<String, Runnable> statics = new LinkedHashMap<>();
        statics.put("Message.findById", () -> Message.findById(bobMessage));
        statics.put("Conversation.findById", () -> Conversation.findById(bobConversation));
        statics.put("Conversation.listAll", () -> Conversation.listAll());
        statics.put("Message.listAll", () -> Message.listAll());
        statics.put("Conversation.count", () -> Conversation.count());
        statics.put("Message.count(conversationId)", () -> Message.count("conversationId", bobConversation));
        statics.put("Conversation.delete(id)", () -> Conversation.delete("id", bobConversation));
        statics.put("Message.deleteById", () -> Message.deleteById(bobMessage));
        statics.put("ApiKey.listAll", () -> ApiKey.listAll());
        statics.put("Message.deleteAll", () -> Message.deleteAll());
        statics.forEach((name, call) -> {
            List<String> sql = CapturedStatements.onThisThread(() -> asAlice(() -> {
                call.run();
                return null;
            }));
            assertFalse(sql.isEmpty(), name + " sent no statement");
            for (String statement : sql) {
                assertEquals(1, ownerConditions(statement), name + " sent: " + statement);
            }
        });
        // A condition of the caller's own on user_id does not replace the owner's.
        List<String> sql = CapturedStatements.onThisThread(() -> asAlice(() -> Message.list("userId", bob)));
        assertEquals(1, sql.size(), sql.toString());
        assertEquals(1, ownerConditions(sql.get(0)), sql.get(0));
        assertEquals(1, CALLERS_CONDITION.matcher(sql.get(0)).results().count(), sql.get(0));
    }

    private static long ownerConditions(String sql) {
        return OWNER_CONDITION.matcher(sql).results().count();
    }

    private <T> T asAlice(Supplier<T> work) {
        return DatabaseIdentity.asUser(alice, () -> QuarkusTransaction.requiringNew().call(work::get));
    }
}
