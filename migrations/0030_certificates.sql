-- Public certificates (registry membership, Sello Migrante, Compromiso Migrante), verifiable by code.
CREATE TABLE certificates (
    code          text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$'),
    kind          text NOT NULL CHECK (kind IN ('registry', 'sello', 'compromiso')),
    subject_type  text NOT NULL,            -- 'organization', 'municipality', 'company'
    subject_id    text NOT NULL,
    subject_name  text NOT NULL,
    title         text NOT NULL,            -- e.g. 'Sello Migrante 2026–2028', 'Reconocida 2025'
    details       jsonb NOT NULL DEFAULT '{}',
    issued_at     timestamptz NOT NULL DEFAULT now(),
    valid_from    date NOT NULL,
    valid_until   date,                     -- NULL: does not expire
    revoked_at    timestamptz,
    revoked_reason text
);
CREATE INDEX certificates_subject ON certificates (subject_type, subject_id);
