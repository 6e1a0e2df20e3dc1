package dev.parley.portability;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a source's message tree (ChatGPT's mapping, Open WebUI's history, LibreChat's parent ids)
 * into Parley messages linked by parent_id. Nodes that are not messages (roots, hidden system
 * scaffolding, empty nodes) are dropped and their children attached to the nearest kept ancestor.
 * The branch ending at the source's current node is the main line; messages off it are kept with
 * {@code metadata.alternate = true}, so a client can show the main line or every branch.
 */
final class Branches {

    /** One node of the source tree; message is null for a node that is not imported. */
    record Node(String id, String parent, ImportedMessage message) {
    }

    /** The messages in store order (by time, parents before their children), and the main line's last message. */
    record Resolved(List<ImportedMessage> messages, String currentSourceId) {
    }

    private Branches() {
    }

    /**
     * @param nodes the tree in source order
     * @param current the source's current node, or null to take the most recent leaf
     */
    static Resolved resolve(List<Node> nodes, String current) {
        Map<String, Node> byId = new LinkedHashMap<>();
        for (Node node : nodes) {
            byId.putIfAbsent(node.id(), node);
        }
        // Each kept message's parent is its nearest kept ancestor.
        Map<String, ImportedMessage> kept = new LinkedHashMap<>();
        for (Node node : byId.values()) {
            if (node.message() != null) {
                kept.put(node.id(), node.message().withParent(keptAncestor(byId, node.parent())));
            }
        }
        String leaf = current != null && byId.containsKey(current)
                ? (byId.get(current).message() != null ? current : keptAncestor(byId, byId.get(current).parent()))
                : latestLeaf(kept);
        Set<String> mainLine = new HashSet<>();
        for (String id = leaf; id != null && mainLine.add(id); id = kept.get(id).parentSourceId()) {
            if (!kept.containsKey(id)) {
                break;
            }
        }
        List<ImportedMessage> ordered = new ArrayList<>(kept.values());
        ordered.sort(Comparator.comparing(ImportedMessage::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        List<ImportedMessage> result = new ArrayList<>(ordered.size());
        Set<String> placed = new HashSet<>();
        for (ImportedMessage message : ordered) {
            place(message, kept, placed, result, mainLine);
        }
        return new Resolved(result, leaf);
    }

    /** Appends the message after its ancestors, which may carry a later time in a malformed source. */
    private static void place(ImportedMessage message, Map<String, ImportedMessage> kept, Set<String> placed,
            List<ImportedMessage> result, Set<String> mainLine) {
        List<ImportedMessage> chain = new ArrayList<>();
        for (ImportedMessage m = message; m != null && !placed.contains(m.sourceId()); ) {
            placed.add(m.sourceId());
            chain.add(m);
            m = m.parentSourceId() == null ? null : kept.get(m.parentSourceId());
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            ImportedMessage m = chain.get(i);
            if (!mainLine.contains(m.sourceId())) {
                ObjectNode metadata = m.metadata();
                metadata.put("alternate", true);
            }
            result.add(m);
        }
    }

    private static String keptAncestor(Map<String, Node> byId, String start) {
        Set<String> seen = new HashSet<>();
        for (String id = start; id != null && seen.add(id); ) {
            Node node = byId.get(id);
            if (node == null) {
                return null;
            }
            if (node.message() != null) {
                return id;
            }
            id = node.parent();
        }
        return null;
    }

    private static String latestLeaf(Map<String, ImportedMessage> kept) {
        Set<String> parents = new HashSet<>();
        kept.values().forEach(m -> parents.add(m.parentSourceId()));
        String latest = null;
        Instant latestAt = null;
        for (ImportedMessage m : kept.values()) {
            if (!parents.contains(m.sourceId())
                    && (latest == null || (m.createdAt() != null && (latestAt == null || !m.createdAt().isBefore(latestAt))))) {
                latest = m.sourceId();
                latestAt = m.createdAt();
            }
        }
        return latest;
    }
}
