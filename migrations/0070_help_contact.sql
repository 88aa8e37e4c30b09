-- Messages sent to staff through /contacto (docs/help.md). A message is 'new' until staff answer it
-- by email from /staff/contacto ('answered'); portal/help/workflow.py moves it, with the audit event.
-- The sender's network address is never stored: only a keyed hash of it (client_hash), for the
-- hourly rate limit.
CREATE TABLE contact_messages (
    id           bigserial PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    email        text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    topic        text NOT NULL CHECK (topic IN ('account', 'registry', 'elections', 'sello', 'compromiso',
                                                'certificates', 'accessibility', 'privacy', 'other')),
    message      text NOT NULL CHECK (length(message) BETWEEN 1 AND 4000),
    lang         text NOT NULL DEFAULT 'es' CHECK (lang IN ('es', 'en')),
    client_hash  text NOT NULL CHECK (length(client_hash) = 64),
    status       text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'answered')),
    answer       text CHECK (answer IS NULL OR length(answer) BETWEEN 1 AND 8000),
    answered_at  timestamptz,
    answered_by  bigint REFERENCES users(id),
    CHECK ((status = 'answered') = (answer IS NOT NULL AND answered_at IS NOT NULL))
);
CREATE INDEX contact_messages_client ON contact_messages (client_hash, created_at);
CREATE INDEX contact_messages_email ON contact_messages (email, created_at);
CREATE INDEX contact_messages_status ON contact_messages (status, created_at DESC);
