-- Issue 10 (docs/security.md, Throttling; Second factor for staff; docs/registry.md, Identity changes).

-- Throttling: every sign-in, sign-up, reset and verification-mail request is an attempt of a kind,
-- counted per account (email), per client address, and per (account, address).
ALTER TABLE login_attempts
    ADD COLUMN kind text NOT NULL DEFAULT 'login' CHECK (kind IN ('login', 'signup', 'reset', 'verify'));
CREATE INDEX login_attempts_ip_at ON login_attempts (ip, kind, at DESC);

-- The cap on mail to one address per hour counts the outbox by recipient.
CREATE INDEX outbox_to_addr_created ON outbox (lower(to_addr), created_at DESC);

-- Staff second factor: a TOTP secret (sealed with a key derived from the app's secret: the database
-- alone does not give it), confirmed once a first code matched; the last time step accepted, so a
-- code is never accepted twice (RFC 6238, 5.2).
ALTER TABLE users
    ADD COLUMN totp_sealed bytea,
    ADD COLUMN totp_confirmed_at timestamptz,
    ADD COLUMN totp_last_step bigint;

-- One-time recovery codes, stored as argon2id hashes.
CREATE TABLE recovery_codes (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  text NOT NULL,
    used_at    timestamptz
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id) WHERE used_at IS NULL;

-- An approved organization's new public identity waits for staff review; the public page,
-- the open data and certificates keep the approved names until then.
ALTER TABLE organizations
    ADD COLUMN pending_legal_name text CHECK (length(pending_legal_name) BETWEEN 1 AND 300),
    ADD COLUMN pending_short_name text CHECK (length(pending_short_name) <= 120),
    ADD COLUMN identity_requested_at timestamptz,
    ADD CONSTRAINT organizations_identity_pending
        CHECK ((identity_requested_at IS NULL) = (pending_legal_name IS NULL));
