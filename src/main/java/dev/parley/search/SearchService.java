package dev.parley.search;

import dev.parley.conversation.Conversation;
import dev.parley.message.Message;
import dev.parley.message.MessageSearch;
import dev.parley.message.MessageTree;
import dev.parley.message.MessageView;
import dev.parley.pagination.PageRequest;
import dev.parley.pagination.Pager;
import dev.parley.pagination.Position;
import dev.parley.pagination.Slice;
import dev.parley.pagination.Window;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Search results: the matches {@link MessageSearch} finds, each with its place in its
 * conversation's tree and its conversation's title.
 */
@ApplicationScoped
// One transaction, though it only reads: a page of results is up to four statements (the matches,
// the conversations' headings, the walk up from their leaves, and the count when there is a next
// page; one when nothing matches), and outside
// a transaction each would take a connection from the pool on its own, each likely set to another
// user, so each paid the identity's set_config round trip and a transaction of its own (3.6
// transactions per search in bench/run); in one transaction they share one connection and at most
// one set_config, for the price of the COMMIT.
@Transactional
public class SearchService {

    /** How many of the newest matches a search ranks (PARLEY_SEARCH_MAX_CANDIDATES). */
    @ConfigProperty(name = "parley.search.max-candidates")
    int maxCandidates;

    @Inject
    MessageSearch messages;

    @Inject
    Pager pager;

    @Inject
    MessageTree tree;

    public Slice<SearchHit> search(String q, PageRequest request) {
        return pager.page(new Pager.Query<>(request, SearchOrder.BY_RANK, window -> hits(q, window),
                hit -> new Position(hit.rank(), hit.message().createdAt(), hit.message().id()), () -> count(q)));
    }

    private List<SearchHit> hits(String q, Window<SearchOrder> window) {
        return hits(messages.page(q, maxCandidates, window));
    }

    /** Every match, capped at the candidates: the set the pages walk. */
    private long count(String q) {
        return Math.min(messages.count(q), maxCandidates);
    }

    /**
     * The page's matches as results, with each message's conversation's title and whether it is on
     * that conversation's active path: two statements after the matches (the conversations'
     * headings, the walk up from their leaves), made only when there are some. Each match brings its
     * place among its siblings itself.
     */
    private List<SearchHit> hits(List<MessageSearch.Match> matches) {
        if (matches.isEmpty()) {
            return List.of();
        }
        List<Message> found = matches.stream().map(MessageSearch.Match::message).toList();
        List<UUID> conversations = found.stream().map(m -> m.conversationId).distinct().toList();
        Map<UUID, Conversation.Heading> headings = Conversation.headings(conversations);
        List<UUID> leaves = headings.values().stream().map(Conversation.Heading::currentLeafId)
                .filter(Objects::nonNull).toList();
        Set<UUID> onActivePath = tree.onActivePaths(leaves, found.stream().map(m -> m.id).toList());
        List<SearchHit> hits = new ArrayList<>(matches.size());
        for (MessageSearch.Match match : matches) {
            Message message = match.message();
            Conversation.Heading heading = headings.get(message.conversationId);
            if (heading == null) {
                // Deleted since the matches were read (each statement of a READ COMMITTED
                // transaction sees what has committed before it began): its messages went with it.
                continue;
            }
            MessageView view = MessageView.of(message, match.position());
            hits.add(new SearchHit(view, message.conversationId, heading.title(), match.snippet(), match.rank(),
                    onActivePath.contains(message.id)));
        }
        return hits;
    }
}
