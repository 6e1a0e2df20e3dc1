-- A piece of a reply's text (reply_chunk, V26) is taken only from the claim that holds the reply
-- while it is pending: a worker that lost the reply (taken over after its lease ran out, or handed
-- back) must not mix its text into the new holder's. The application used to check that by reading
-- the message in the INSERT itself; the assistant code no longer names the message table (each
-- table's SQL lives in the package that owns it), and a separate read first would cost every piece
-- a round trip. So each piece names its claim, and the database makes the check as it inserts.
--
-- Pieces written before this migration have no claim; they are dropped with their reply as before.
ALTER TABLE reply_chunk ADD COLUMN claim_token uuid;

-- Runs as the writer, under row-level security: the writer is the reply's owner, so the owner's
-- message is visible and no other. A piece whose claim does not hold the pending reply is skipped
-- (the INSERT reports 0 rows, which the writer reads as "claim lost"), not refused with an error.
CREATE FUNCTION take_reply_chunk_from_its_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM message m
                WHERE m.id = NEW.reply_id AND m.user_id = NEW.user_id
                  AND m.claim_token = NEW.claim_token AND m.status = 'pending') THEN
        RETURN NEW;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER reply_chunk_from_its_claim BEFORE INSERT ON reply_chunk
    FOR EACH ROW EXECUTE FUNCTION take_reply_chunk_from_its_claim();
