-- Per-user rate-limit buckets (Bucket4j), in the database every replica already shares, so the
-- budget holds across replicas. state is Bucket4j's serialized bucket; expires_at is epoch
-- milliseconds after which an idle bucket is full again and its row may be deleted.
CREATE TABLE rate_limit_bucket (
    id         varchar(320) NOT NULL,
    state      bytea,
    expires_at bigint,
    CONSTRAINT rate_limit_bucket_pk PRIMARY KEY (id)
);

CREATE INDEX rate_limit_bucket_expires_idx ON rate_limit_bucket (expires_at);
