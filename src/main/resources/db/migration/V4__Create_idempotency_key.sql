-- POST with an Idempotency-Key: the first response is kept (per user and key) and a retry with the
-- same body gets it back instead of creating again. status_code is NULL while the first request
-- is still running.
CREATE TABLE idempotency_key (
    user_id       varchar(255) NOT NULL,
    idem_key      varchar(255) NOT NULL,
    request_hash  varchar(64)  NOT NULL,
    status_code   integer,
    response_body text,
    location      text,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_key_pk PRIMARY KEY (user_id, idem_key)
);

-- Expired keys are deleted in batches by age.
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
