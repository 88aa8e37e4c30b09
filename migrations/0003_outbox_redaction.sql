-- Messages that carry a secret (a ballot's tracking code) keep a redacted body that replaces the
-- real one as soon as the message is sent or given up, so the secret never rests in the database.
ALTER TABLE outbox ADD COLUMN redacted_body text;
