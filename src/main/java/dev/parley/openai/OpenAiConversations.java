package dev.parley.openai;

import dev.parley.conversation.Conversation;
import dev.parley.conversation.ConversationPatch;
import dev.parley.conversation.ConversationService;
import dev.parley.conversation.NewConversation;
import dev.parley.error.ProblemException;
import dev.parley.message.Message;
import dev.parley.message.MessageService;
import dev.parley.message.NewMessage;
import dev.parley.pagination.Position;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Conversations and their items in OpenAI's shapes, over Parley's own services: a conversation is
 * a Parley conversation, an item a Parley message. Lists page by position after an item (OpenAI's
 * {@code after}), ordered by creation time and id, as keyset queries of the entities' finders.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class OpenAiConversations {

    @Inject
    ConversationService conversations;

    @Inject
    MessageService messages;

    /** A page request: {@code after} an id (or from the start), {@code limit} 1..100, newest first or not. */
    record Paging(String after, int limit, boolean newestFirst) {
    }

    /** A conversation with this metadata (none when null) and these first items, which get no reply. */
    public ConversationObject create(Map<String, String> metadata, List<NewMessage> items) {
        Conversation conversation = conversations.create(NewConversation.DEFAULTS.withMetadata(metadata));
        for (NewMessage item : items) {
            messages.create(conversation.id, item, MessageService.ReplyMode.NONE);
        }
        return ConversationObject.of(conversations.get(conversation.id));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public ConversationObject get(String id) {
        return ConversationObject.of(conversation(id));
    }

    public ConversationObject update(String id, Map<String, String> metadata) {
        UUID cid = OpenAiIds.conversationId(id);
        if (metadata == null) {
            throw ProblemException.badRequest("metadata", "is required");
        }
        ConversationPatch patch = new ConversationPatch();
        patch.setMetadata(metadata);
        try {
            return ConversationObject.of(conversations.patch(cid, patch, null));
        } catch (ProblemException e) {
            throw renamed(e, "conversation", id);
        }
    }

    public ConversationDeleted delete(String id) {
        UUID cid = OpenAiIds.conversationId(id);
        try {
            conversations.delete(cid, null);
        } catch (ProblemException e) {
            throw renamed(e, "conversation", id);
        }
        return new ConversationDeleted(id, "conversation.deleted", true);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public ConversationList list(Paging paging) {
        Position position = null;
        if (paging.after() != null) {
            Conversation after;
            try {
                after = conversations.get(OpenAiIds.conversationParam("after", paging.after()));
            } catch (ProblemException e) {
                throw e.status() == 404 ? ProblemException.badRequest("after", "must name one of your conversations")
                        : e;
            }
            position = new Position(after.createdAt, after.id);
        }
        List<Conversation> rows = Conversation.byCreation(position, paging.newestFirst(), paging.limit() + 1);
        boolean hasMore = rows.size() > paging.limit();
        return ConversationList.of(rows.stream().limit(paging.limit()).map(ConversationObject::of).toList(), hasMore);
    }

    /** Stores the items in order, without replies. */
    public ItemList addItems(UUID cid, List<NewMessage> items) {
        if (items.isEmpty()) {
            throw ProblemException.badRequest("items", "must hold at least one item");
        }
        try {
            return ItemList.of(items.stream()
                    .map(item -> Items.of(messages.create(cid, item, MessageService.ReplyMode.NONE).message()))
                    .toList(), false);
        } catch (ProblemException e) {
            throw renamed(e, "conversation", OpenAiIds.conversation(cid));
        }
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public ItemList listItems(String conversationId, Paging paging) {
        UUID cid = conversation(conversationId).id;
        Position position = null;
        if (paging.after() != null) {
            Message after = item(cid, paging.after(), "after");
            position = new Position(after.createdAt, after.id);
        }
        List<Message> rows = Message.byCreation(cid, position, paging.newestFirst(), paging.limit() + 1);
        boolean hasMore = rows.size() > paging.limit();
        return ItemList.of(rows.stream().limit(paging.limit()).map(Items::of).toList(), hasMore);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Item getItem(String conversationId, String itemId) {
        return Items.of(item(conversation(conversationId).id, itemId, null));
    }

    public ConversationObject deleteItem(String conversationId, String itemId) {
        UUID cid = conversation(conversationId).id;
        Message item = item(cid, itemId, null);
        messages.delete(cid, item.id, null);
        return ConversationObject.of(conversations.get(cid));
    }

    private Conversation conversation(String id) {
        UUID cid = OpenAiIds.conversationId(id);
        try {
            return conversations.get(cid);
        } catch (ProblemException e) {
            throw renamed(e, "conversation", id);
        }
    }

    /** The conversation's item; an unknown one is a 404, or a 400 naming {@code param} when it came as one. */
    private Message item(UUID cid, String itemId, String param) {
        try {
            return messages.get(cid, OpenAiIds.itemId(itemId));
        } catch (ProblemException e) {
            if (e.status() != 404) {
                throw e;
            }
            throw param == null ? OpenAiIds.notFound("item", itemId)
                    : ProblemException.badRequest(param, "must name an item of this conversation");
        }
    }

    /** A 404 of Parley's services, told with the id the client used. */
    private static ProblemException renamed(ProblemException e, String kind, String id) {
        return e.status() == 404 ? OpenAiIds.notFound(kind, id) : e;
    }
}
