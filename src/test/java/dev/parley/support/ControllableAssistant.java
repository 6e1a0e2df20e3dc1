package dev.parley.support;

import dev.parley.assistant.Assistant;
import dev.parley.assistant.Reply;
import dev.parley.assistant.Turn;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A provider whose answers the test decides, and which can be held back until the test releases
 * it: to see what the API does while a reply is being generated, and when the model fails.
 */
public class ControllableAssistant implements Assistant {

    public final CountDownLatch release = new CountDownLatch(1);
    public final List<List<Turn>> seen = new CopyOnWriteArrayList<>();
    public final AtomicInteger calls = new AtomicInteger();
    private final Function<List<Turn>, Reply> answer;
    private final boolean held;

    private ControllableAssistant(Function<List<Turn>, Reply> answer, boolean held) {
        this.answer = answer;
        this.held = held;
    }

    public static ControllableAssistant heldBack(String text) {
        return new ControllableAssistant(history -> Reply.text(text), true);
    }

    public static ControllableAssistant answering(Function<List<Turn>, Reply> answer) {
        return new ControllableAssistant(answer, false);
    }

    public static ControllableAssistant failing(String message) {
        return new ControllableAssistant(history -> {
            throw new IllegalStateException(message);
        }, false);
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
        calls.incrementAndGet();
        seen.add(List.copyOf(history));
        if (held) {
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return answer.apply(history);
    }
}
