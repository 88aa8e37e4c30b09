-- Elections v2 (issue 15; docs/ballot-secrecy.md): ballots sealed for the election's trustees, the
-- trustees and their keys, and the append-only public record of each election.
--
-- After this migration a vote stores only a SEALED ballot (sealed_ballots), which needs every
-- trustee's private key to open. The has-voted row and the sealed ballot are still written by one
-- statement (cast_sealed_ballot()), so they share a transaction id and sit side by side in the WAL:
-- that link joins an organization to a ciphertext only. The tracking code (the hash of the revealed
-- plaintext) is never written anywhere. `ballots` now holds the REVEALED ballots, written at the count
-- from the last trustee's output (public anyway, in the bulletin), in a transaction without any voter.

-- Trustees: the ministro de fe and at least one more person, each a portal account, in peeling order
-- (trustee 1 removes the outer layer). A key is uploaded with a proof answering `challenge`.
CREATE TABLE election_trustees (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    position    smallint NOT NULL CHECK (position BETWEEN 1 AND 9),
    user_id     bigint NOT NULL REFERENCES users(id),
    status      text NOT NULL DEFAULT 'named' CHECK (status IN ('named', 'key_in', 'step_in')),
    challenge   text NOT NULL CHECK (challenge ~ '^[A-Za-z0-9_-]{16,64}$'),
    key_proof   text,                 -- the uploaded public JSON, as checked
    signing_key text CHECK (signing_key IS NULL OR signing_key ~ '^[0-9a-f]{64}$'),
    UNIQUE (election_id, position),
    UNIQUE (election_id, user_id),
    UNIQUE (election_id, signing_key),
    CHECK ((status = 'named') = (signing_key IS NULL))
);

-- Sealed ballots: no voter, no time, a random key. `batch` is the checkpoint that published the
-- ballot's fingerprint (NULL until then).
CREATE TABLE sealed_ballots (
    id          uuid PRIMARY KEY,     -- uuid4 drawn by the app
    election_id bigint NOT NULL REFERENCES elections(id),
    batch       integer CHECK (batch IS NULL OR batch > 0),
    fingerprint text NOT NULL UNIQUE CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    body        bytea NOT NULL,
    signature   bytea NOT NULL CHECK (length(signature) = 64)
);
CREATE INDEX sealed_ballots_pending ON sealed_ballots (election_id) WHERE batch IS NULL;
CREATE INDEX sealed_ballots_batch ON sealed_ballots (election_id, batch, fingerprint);

-- The public record (elections/record.py): one row per event, the event exactly as published.
-- Append-only like election_log (and the app role gets only SELECT and INSERT: portal/migrate.py).
CREATE TABLE election_record (
    election_id bigint NOT NULL REFERENCES elections(id),
    height      integer NOT NULL CHECK (height >= 0),
    type        text NOT NULL,
    hash        text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    event       text NOT NULL,
    PRIMARY KEY (election_id, height)
);
CREATE TRIGGER election_record_no_update BEFORE UPDATE OR DELETE ON election_record
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER election_record_no_truncate BEFORE TRUNCATE ON election_record
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- A vote's whole write in one statement (see 0022 for why a function): the shared vote lock, the
-- phase re-read under it, the has-voted row (its PRIMARY KEY refuses a second ballot), the sealed
-- ballot, and the receipt email (which carries no tracking code). The ballot is sealed by the portal
-- before this statement; if the statement refuses (closed, already voted) nothing of it is stored.
-- Returns the number of sealed ballots not yet in a checkpoint (the caller makes one every N), or
-- NULL when voting is closed.
CREATE FUNCTION cast_sealed_ballot(lock_key integer, p_election bigint, p_org bigint, p_ballot uuid,
                                   p_fingerprint text, p_body bytea, p_signature bytea,
                                   mail_to text, mail_subject text, mail_body text)
RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  voted date;
  pending integer;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(lock_key, p_election::integer);
  INSERT INTO voters (election_id, org_id)
    SELECT p_election, p_org
    WHERE EXISTS (SELECT 1 FROM elections WHERE id = p_election AND phase = 'voting_open')
    RETURNING voted_on INTO voted;
  IF voted IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO sealed_ballots (id, election_id, fingerprint, body, signature)
    VALUES (p_ballot, p_election, p_fingerprint, p_body, p_signature);
  IF mail_to IS NOT NULL THEN  -- the row portal/mail.py queue() writes
    INSERT INTO outbox (to_addr, subject, body) VALUES (mail_to, mail_subject, mail_body);
  END IF;
  SELECT count(*) INTO pending FROM sealed_ballots WHERE election_id = p_election AND batch IS NULL;
  RETURN pending;
END $$;

-- The old write stored the ballot in clear with its tracking code: nothing may call it any more.
DROP FUNCTION cast_ballot(integer, bigint, bigint, uuid, text, bigint, text, text, text, text, text, text);

-- At the close, the sealed ballots are rewritten by the closing transaction and CLUSTERed in the
-- order of their random key (as 0051 did for the clear ballots), so their xmin and heap order no
-- longer follow the has-voted rows. CLUSTER needs the owner: SECURITY DEFINER, this and nothing else.
CREATE FUNCTION scramble_sealed_ballots(p_election bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE public.sealed_ballots SET batch = batch WHERE election_id = p_election;
  CLUSTER public.sealed_ballots USING sealed_ballots_pkey;
END $$;
