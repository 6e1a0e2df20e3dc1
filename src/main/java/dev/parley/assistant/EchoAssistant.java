package dev.parley.assistant;

import java.util.List;

/** Answers "Echo: " and the user's message; handy for wiring checks. */
public class EchoAssistant implements Assistant {

    @Override
    public String provider() {
        return "echo";
    }

    @Override
    public String model() {
        return null;
    }

    @Override
    public Reply reply(List<Turn> history) {
        return Reply.text("Echo: " + (history.isEmpty() ? "" : history.get(history.size() - 1).content()));
    }
}
