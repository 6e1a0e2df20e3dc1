package dev.parley.isolation;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parley.conversation.Conversation;
import dev.parley.message.Message;
import dev.parley.security.DatabaseIdentity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The statics every Panache entity inherits reach the whole table as far as Hibernate knows; the
 * database's row-level security is what keeps them to one user. Called on behalf of alice, each
 * of them sees, counts and deletes alice's rows only.
 */
@QuarkusTest
public class PanacheStaticsTest {

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

    private <T> T asAlice(Supplier<T> work) {
        return DatabaseIdentity.asUser(alice, () -> QuarkusTransaction.requiringNew().call(work::get));
    }
}
