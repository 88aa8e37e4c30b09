-- Foundation: people, roles, login throttling, audit log, email outbox, stored files.

-- Accent folding without the unaccent extension (the embedded server does not ship it):
-- immutable, so it can back expression and full-text indexes. Uses the extension when present.
CREATE FUNCTION portal_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT translate(value,
    'áàâäãåÁÀÂÄÃÅéèêëÉÈÊËíìîïÍÌÎÏóòôöõÓÒÔÖÕúùûüÚÙÛÜñÑçÇ',
    'aaaaaaAAAAAAeeeeEEEEiiiiIIIIoooooOOOOOuuuuUUUUnNcC')
$$;

CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    document_type   text NOT NULL DEFAULT 'run' CHECK (document_type IN ('run', 'passport', 'other')),
    document_number text NOT NULL DEFAULT '' CHECK (length(document_number) <= 40),
    password_hash   text NOT NULL,
    email_verified_at timestamptz,
    is_active       boolean NOT NULL DEFAULT true,
    auth_version    integer NOT NULL DEFAULT 1,   -- bumped to revoke every session of the user
    locale          text NOT NULL DEFAULT 'es' CHECK (locale IN ('es', 'en')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE user_roles (
    user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role      text NOT NULL CHECK (role IN ('reviewer', 'election_officer', 'ministro_de_fe',
                                            'sello_evaluator', 'compromiso_evaluator', 'admin')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);

-- Failed logins are counted here, not in memory, so throttling holds across workers.
CREATE TABLE login_attempts (
    id        bigserial PRIMARY KEY,
    email_key text NOT NULL,
    ip        text NOT NULL DEFAULT '',
    succeeded boolean NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_at ON login_attempts (email_key, at DESC);

-- Append-only, hash-chained audit log: each row carries the hash of the previous one.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_id    bigint REFERENCES users(id),
    actor_label text NOT NULL DEFAULT '',
    action      text NOT NULL,
    object_type text NOT NULL,
    object_id   text NOT NULL DEFAULT '',
    before      jsonb,
    after       jsonb,
    prev_hash   text NOT NULL,
    hash        text NOT NULL UNIQUE
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- Shared by every append-only table (the audit log, the election log): refuses UPDATE, DELETE, TRUNCATE.
CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    to_addr         text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';

-- Uploaded files (PDF documents, evidence), kept in the database so one backup holds everything.
CREATE TABLE stored_files (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sha256      text NOT NULL CHECK (length(sha256) = 64),
    size        integer NOT NULL CHECK (size >= 0),
    filename    text NOT NULL,
    content_type text NOT NULL DEFAULT 'application/pdf',
    content     bytea NOT NULL,
    uploaded_by bigint REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
