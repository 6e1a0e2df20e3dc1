package dev.parley.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.message.Role;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RulesAssistantTest {

    @ParameterizedTest(name = "\"{0}\" → {1}")
    @CsvSource(delimiter = '|', value = {
        "hello there                     | GREETING",
        "Hi                              | GREETING",
        "HEY, you                        | GREETING",
        "hello, can you help me?         | GREETING",
        "I need help                     | HELP",
        "please ASSIST                   | HELP",
        "assistance needed. thanks       | HELP",
        "can you help? thanks            | HELP",
        "what time is it?                | QUESTION",
        "thanks? ok                      | QUESTION",
        "thanks a lot                    | THANKS",
        "Thank you                       | THANKS",
        "thx!                            | THANKS",
        "this is helpful                 | DEFAULT",
        "ship it                         | DEFAULT",
        "they said hithere               | DEFAULT",
        "thankful for everything         | DEFAULT",
        "the weather is nice             | DEFAULT",
    })
    void answers_by_the_first_matching_rule(String message, String expected) {
        String want = switch (expected) {
            case "GREETING" -> "Hello! How can I assist you today?";
            case "HELP" -> "I'm here to help! What do you need assistance with?";
            case "QUESTION" -> "That's an interesting question. Let me think about that...";
            case "THANKS" -> "You're welcome! Is there anything else I can help with?";
            default -> "I understand. Can you tell me more about that?";
        };
        Reply reply = new RulesAssistant().reply(List.of(new Turn(Role.USER, message)));
        assertEquals(want, reply.content());
        assertEquals(List.of(), reply.toolCalls());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"hello | Echo: hello", "what? | Echo: what?"})
    void echo_repeats_the_last_message(String message, String expected) {
        assertEquals(expected, new EchoAssistant().reply(List.of(new Turn(Role.SYSTEM, "x"), new Turn(Role.USER, message)))
                .content());
    }
}
