-- A certificate's stored state, so that revocation is a state change like every other (portal.workflow
-- transition, docs/certificates.md). 'issued' stands until revoked; 'expired' is not stored: it is derived
-- from valid_until on the day asked. revoked_at/revoked_reason stay, written with the move.
ALTER TABLE certificates ADD COLUMN status text NOT NULL DEFAULT 'issued'
    CHECK (status IN ('issued', 'revoked'));
UPDATE certificates SET status = 'revoked' WHERE revoked_at IS NOT NULL;
ALTER TABLE certificates ADD CONSTRAINT certificates_revoked_when_revoked
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL));
