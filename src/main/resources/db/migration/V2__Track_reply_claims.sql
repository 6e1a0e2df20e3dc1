-- Assistant replies are generated after the request that asked for them has returned. A worker
-- claims a pending reply for a lease; a reply whose lease ran out (its instance died) is claimed
-- again by any instance, and after too many attempts it is marked failed. Completion is
-- conditional on the claim token, so two workers never both store a reply.
ALTER TABLE message
    ADD COLUMN reply_attempts integer     NOT NULL DEFAULT 0,
    ADD COLUMN claimed_until  timestamptz,
    ADD COLUMN claim_token    uuid;

CREATE INDEX message_pending_idx ON message (created_at) WHERE status = 'pending';
