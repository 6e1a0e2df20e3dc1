package dev.parley.conversation;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What the API says about deletion, checked in the database itself. */
@QuarkusTest
public class CascadeDeleteTest {

    @Test
    void deleting_a_conversation_removes_its_messages_from_the_database() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "doomed", "auto_reply", false));
        addMessage(alice, cid, "user", "one");
        addMessage(alice, cid, "user", "two");
        assertEquals(2, count("select count(*) from message where conversation_id = ?", UUID.fromString(cid)));

        as(alice).delete("/api/conversations/{id}", cid).then().statusCode(204);

        assertEquals(0, count("select count(*) from message where conversation_id = ?", UUID.fromString(cid)));
        assertEquals(0, count("select count(*) from conversation where id = ?", UUID.fromString(cid)));
    }

    @Test
    void bulk_deletes_cascade_and_spare_other_users() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String a = createConversation(alice, Map.of("title", "a", "auto_reply", false));
        String b = createConversation(bob, Map.of("title", "b", "auto_reply", false));
        addMessage(alice, a, Map.of("role", "user", "content", "x", "thread_id", "shared-thread"));
        addMessage(bob, b, Map.of("role", "user", "content", "y", "thread_id", "shared-thread"));

        as(alice).queryParam("thread_id", "shared-thread").delete("/api/conversations").then().statusCode(200);

        assertEquals(0, count("select count(*) from message where user_id = ?", alice));
        assertEquals(1, count("select count(*) from message where user_id = ? and thread_id = 'shared-thread'", bob));
        assertEquals(1, count("select count(*) from conversation where user_id = ?", bob));
    }

    /** Counted by the superuser, past row-level security: what is really left in the tables. */
    private long count(String sql, Object parameter) {
        return Db.asSuperuser(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setObject(1, parameter);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
