-- The change feed (GET /api/events) and the text of replies being generated, both where every
-- replica can read them. Both belong to a user: user_id leads every key, and every read by a
-- request is scoped by it.

-- One row per change a user can see, kept for a bounded window (parley.streams.event-retention)
-- so that a client reconnecting with Last-Event-ID gets what it missed. The id is the SSE event id.
CREATE TABLE change_event (
    user_id    varchar(255) NOT NULL,
    id         bigint       GENERATED ALWAYS AS IDENTITY,
    type       varchar(40)  NOT NULL,
    data       jsonb        NOT NULL,
    created_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT change_event_pk PRIMARY KEY (user_id, id)
);

-- The trimming job deletes by age across all users.
CREATE INDEX change_event_created_at_idx ON change_event (created_at);

-- The text of a pending reply as the model hands it out, in pieces flushed every
-- parley.streams.flush-every. end_offset is the reply's length (UTF-16 units) once this piece is
-- added: it orders the pieces and is the sequence in the reply stream's event ids, which stay
-- meaningful after the pieces are gone because the stored reply has the same text. The pieces are
-- deleted in the transaction that stores the reply as complete or failed.
CREATE TABLE reply_chunk (
    user_id         varchar(255) NOT NULL,
    reply_id        uuid         NOT NULL,
    end_offset      integer      NOT NULL,
    conversation_id uuid         NOT NULL,
    content         text         NOT NULL,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT reply_chunk_pk PRIMARY KEY (user_id, reply_id, end_offset),
    CONSTRAINT reply_chunk_reply_fk FOREIGN KEY (reply_id, user_id) REFERENCES message (id, user_id)
        ON DELETE CASCADE
);

CREATE INDEX reply_chunk_reply_idx ON reply_chunk (reply_id, user_id);
