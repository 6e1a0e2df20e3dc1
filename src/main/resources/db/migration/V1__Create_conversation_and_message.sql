-- Conversations and their messages (SPEC §3). Every row carries its owner's user id
-- (the JWT sub) so that every query can be scoped by it and indexed on it.
CREATE TABLE conversation (
    id              uuid         NOT NULL,
    user_id         varchar(255) NOT NULL,
    title           varchar(255) NOT NULL DEFAULT 'New Conversation',
    description     varchar(500),
    archived        boolean      NOT NULL DEFAULT false,
    pinned          boolean      NOT NULL DEFAULT false,
    auto_reply      boolean      NOT NULL DEFAULT true,
    metadata        jsonb        NOT NULL DEFAULT '{}'::jsonb,
    message_count   integer      NOT NULL DEFAULT 0,
    last_message_at timestamptz,
    version         bigint       NOT NULL DEFAULT 0,
    created_at      timestamptz  NOT NULL,
    updated_at      timestamptz  NOT NULL,
    CONSTRAINT conversation_pk PRIMARY KEY (id),
    CONSTRAINT conversation_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT conversation_message_count_not_negative CHECK (message_count >= 0)
);

-- The list order "most recent activity first", per user and archived flag, with id as tie-breaker.
CREATE INDEX conversation_user_activity_idx
    ON conversation (user_id, archived, updated_at DESC, id DESC);

CREATE TABLE message (
    id              uuid         NOT NULL,
    conversation_id uuid         NOT NULL,
    user_id         varchar(255) NOT NULL,
    role            varchar(16)  NOT NULL,
    content         text         NOT NULL,
    status          varchar(16)  NOT NULL DEFAULT 'complete',
    parent_id       uuid,
    thread_id       varchar(255),
    endpoint        varchar(100),
    model           varchar(255),
    tool_calls      jsonb        NOT NULL DEFAULT '[]'::jsonb,
    metadata        jsonb        NOT NULL DEFAULT '{}'::jsonb,
    version         bigint       NOT NULL DEFAULT 0,
    created_at      timestamptz  NOT NULL,
    updated_at      timestamptz  NOT NULL,
    CONSTRAINT message_pk PRIMARY KEY (id),
    CONSTRAINT message_conversation_fk FOREIGN KEY (conversation_id)
        REFERENCES conversation (id) ON DELETE CASCADE,
    CONSTRAINT message_parent_fk FOREIGN KEY (parent_id)
        REFERENCES message (id) ON DELETE SET NULL,
    CONSTRAINT message_role_valid CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    CONSTRAINT message_status_valid CHECK (status IN ('complete', 'pending', 'failed')),
    CONSTRAINT message_only_assistant_pending CHECK (status = 'complete' OR role = 'assistant'),
    CONSTRAINT message_tool_calls_is_array CHECK (jsonb_typeof(tool_calls) = 'array'),
    CONSTRAINT message_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object')
);

-- Message lists in both orders, and the keyset position inside one conversation.
CREATE INDEX message_conversation_created_idx ON message (conversation_id, created_at, id);
-- Bulk deletes by thread id and endpoint look up the caller's matching messages.
CREATE INDEX message_user_thread_idx ON message (user_id, thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX message_user_endpoint_idx ON message (user_id, endpoint) WHERE endpoint IS NOT NULL;
CREATE INDEX message_parent_idx ON message (parent_id) WHERE parent_id IS NOT NULL;
