-- Security hardening (docs/security.md): server-side sessions, signed anchors of the audit chain,
-- and the one owner-only operation the running portal needs, behind a narrow SECURITY DEFINER function.

-- A session is a row; the browser's cookie holds only a random id, and this table only its SHA-256
-- (a copy of the table gives no usable cookie). `data` is sealed with a key derived from the id
-- itself (XSalsa20-Poly1305), so what a session holds cannot be read from the database, its WAL or
-- its backups without the browser's cookie. Deleting the row ends the session.
CREATE TABLE sessions (
    id_hash      text PRIMARY KEY CHECK (length(id_hash) = 64),
    user_id      bigint REFERENCES users(id) ON DELETE CASCADE,
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- The audit chain's head, signed (Ed25519) with a key that is never in the database, and published
-- at /transparencia/auditoria.json. Append-only like the logs it protects.
CREATE TABLE audit_anchors (
    id          bigserial PRIMARY KEY,
    signed_at   timestamptz NOT NULL,
    row_id      bigint NOT NULL,          -- the audit_log row that was the head (0: empty log)
    row_hash    text NOT NULL,
    row_count   bigint NOT NULL,
    public_key  text NOT NULL,            -- hex, so a verifier can tell which key signed
    signature   text NOT NULL             -- hex Ed25519 over the canonical JSON of the fields above
);
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE OR DELETE ON audit_anchors
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- CLUSTER needs the table's owner, and the portal's role owns nothing. The close of an election
-- rewrites the ballots in random order (portal/elections_web/count_queries.py, scramble_ballots):
-- this function does exactly that and nothing else, with the owner's rights.
CREATE FUNCTION portal_scramble_ballots(p_election bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE public.ballots SET nonce = nonce WHERE election_id = p_election;
  CLUSTER public.ballots USING ballots_pkey;
END $$;
REVOKE ALL ON FUNCTION portal_scramble_ballots(bigint) FROM PUBLIC;
