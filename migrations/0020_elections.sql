-- COSOC elections (domain.md §4): elections and their phases, the append-only election log,
-- the frozen padrón, claims, candidacies, the has-voted record and the secret ballots, results,
-- and changes to the council during the term.

CREATE TABLE elections (
    id                  bigserial PRIMARY KEY,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    term_start          date NOT NULL,
    term_end            date NOT NULL CHECK (term_end > term_start),
    seats_a             integer NOT NULL DEFAULT 10 CHECK (seats_a BETWEEN 0 AND 50),
    seats_b             integer NOT NULL DEFAULT 6 CHECK (seats_b BETWEEN 0 AND 50),
    seats_c             integer NOT NULL DEFAULT 4 CHECK (seats_c BETWEEN 0 AND 50),
    -- exact fractions as text ("1/2", "3/5"), read by elections.Rules
    territorial_share   text NOT NULL DEFAULT '1/2' CHECK (territorial_share ~ '^[0-9]+(/[0-9]+)?$'),
    gender_share        text NOT NULL DEFAULT '3/5' CHECK (gender_share ~ '^[0-9]+(/[0-9]+)?$'),
    phase               text NOT NULL DEFAULT 'draft' CHECK (phase IN ('draft', 'call_open',
                            'padron_provisional', 'padron_final', 'candidacies_open', 'candidacies_review',
                            'voting_open', 'voting_closed', 'tallied', 'proclaimed', 'constituted')),
    -- the calendar
    call_on             date,
    padron_cutoff       date,
    padron_claims_until date,
    candidacies_from    date,
    candidacies_until   date,
    voting_starts_at    timestamptz,
    voting_ends_at      timestamptz,
    results_claims_until date,
    proclamation_on     date,
    -- the frozen padrón
    padron_sha256       text CHECK (padron_sha256 IS NULL OR padron_sha256 ~ '^[0-9a-f]{64}$'),
    padron_size         jsonb,
    -- the sorteo: exactly one of a drawn order (candidate ids) or an announced seed, once fixed
    lottery_seed        text CHECK (lottery_seed IS NULL OR length(lottery_seed) BETWEEN 1 AND 200),
    lottery_order       jsonb,
    sorteo_fixed_at     timestamptz,
    acta_file           uuid REFERENCES stored_files(id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (voting_ends_at IS NULL OR voting_starts_at IS NULL OR voting_ends_at > voting_starts_at),
    CHECK (lottery_seed IS NULL OR lottery_order IS NULL)
);

-- Append-only: every phase change and election event, beside the audit log.
CREATE TABLE election_log (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES users(id),
    actor_label text NOT NULL DEFAULT '',
    event       text NOT NULL,
    from_phase  text,
    to_phase    text,
    detail      jsonb
);
CREATE INDEX election_log_election ON election_log (election_id, id);

CREATE TRIGGER election_log_no_update BEFORE UPDATE OR DELETE ON election_log
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER election_log_no_truncate BEFORE TRUNCATE ON election_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- The padrón: a snapshot of the registry at the cut-off, frozen once its hash is recorded.
CREATE TABLE padron_entries (
    election_id bigint NOT NULL REFERENCES elections(id),
    org_id      bigint NOT NULL REFERENCES organizations(id),
    category    text NOT NULL CHECK (category IN ('A', 'B', 'C')),
    region_code text NOT NULL,
    name        text NOT NULL,
    PRIMARY KEY (election_id, org_id)
);
CREATE INDEX padron_entries_category ON padron_entries (election_id, category, region_code);

CREATE FUNCTION padron_frozen_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  eid bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.election_id ELSE NEW.election_id END;
BEGIN
  IF EXISTS (SELECT 1 FROM elections WHERE id = eid AND padron_sha256 IS NOT NULL) THEN
    RAISE EXCEPTION 'the padrón of election % is frozen', eid;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER padron_entries_frozen BEFORE INSERT OR UPDATE OR DELETE ON padron_entries
  FOR EACH ROW EXECUTE FUNCTION padron_frozen_guard();

-- Claims against the provisional padrón ('padron') or the provisional results ('results').
CREATE TABLE election_claims (
    id          bigserial PRIMARY KEY,
    election_id bigint NOT NULL REFERENCES elections(id),
    kind        text NOT NULL CHECK (kind IN ('padron', 'results')),
    org_id      bigint REFERENCES organizations(id),
    action      text NOT NULL DEFAULT 'none' CHECK (action IN ('add', 'remove', 'none')),
    claimant    text NOT NULL CHECK (length(claimant) BETWEEN 1 AND 300),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    resolution  text CHECK (resolution IS NULL OR length(resolution) <= 4000),
    created_by  bigint REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_by bigint REFERENCES users(id),
    resolved_at timestamptz,
    CHECK (kind = 'results' OR action <> 'none'),
    CHECK (action = 'none' OR org_id IS NOT NULL)
);
CREATE INDEX election_claims_election ON election_claims (election_id, kind, status);

CREATE TABLE candidates (
    id              bigserial PRIMARY KEY,
    election_id     bigint NOT NULL REFERENCES elections(id),
    org_id          bigint NOT NULL REFERENCES organizations(id),
    category        text NOT NULL CHECK (category IN ('A', 'B', 'C')),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    document_type   text NOT NULL CHECK (document_type IN ('run', 'passport')),
    document_number text NOT NULL CHECK (length(document_number) BETWEEN 1 AND 40),
    gender          text NOT NULL CHECK (gender IN ('F', 'M', 'X')),
    region_code     text NOT NULL,
    bio             text NOT NULL CHECK (length(bio) BETWEEN 1 AND 1000),
    accepted        boolean NOT NULL CHECK (accepted),
    status          text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'admissible', 'inadmissible')),
    review_reason   text,
    reviewed_by     bigint REFERENCES users(id),
    reviewed_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (election_id, org_id),
    CHECK (status <> 'inadmissible' OR length(coalesce(review_reason, '')) > 0)
);
CREATE INDEX candidates_election ON candidates (election_id, category, status);

-- Ballot secrecy: who voted (voters) and what was voted (ballots) are stored apart, with no key,
-- no voter id and no timestamp that could join them. voters keeps only the day; the ballot's
-- primary key is random, so neither its key order nor any column follows the order of casting.
-- The PRIMARY KEY of voters is what refuses a second ballot, even under concurrent submissions.
CREATE TABLE voters (
    election_id bigint NOT NULL REFERENCES elections(id),
    org_id      bigint NOT NULL REFERENCES organizations(id),
    voted_on    date NOT NULL DEFAULT current_date,
    PRIMARY KEY (election_id, org_id)
);

CREATE TABLE ballots (
    id            uuid PRIMARY KEY,             -- uuid4 drawn by the app: 122 random bits
    election_id   bigint NOT NULL REFERENCES elections(id),
    category      text NOT NULL CHECK (category IN ('A', 'B', 'C')),
    candidate_id  bigint REFERENCES candidates(id),   -- NULL: a blank ballot
    nonce         text NOT NULL CHECK (nonce ~ '^[0-9a-f]{32}$'),
    tracking_code text NOT NULL UNIQUE CHECK (tracking_code ~ '^[0-9a-f]{64}$')
);
CREATE INDEX ballots_election ON ballots (election_id, category);

-- The count: the published bulletin (a stored file) and what the pages show.
CREATE TABLE election_results (
    election_id     bigint PRIMARY KEY REFERENCES elections(id),
    bulletin_file   uuid NOT NULL REFERENCES stored_files(id),
    bulletin_sha256 text NOT NULL CHECK (bulletin_sha256 ~ '^[0-9a-f]{64}$'),
    header          jsonb NOT NULL,     -- the bulletin without its ballots
    allocation_es   jsonb NOT NULL,     -- the allocation with its trail texts in Spanish
    trail_es        text NOT NULL,
    trail_en        text NOT NULL,
    tallied_at      timestamptz NOT NULL DEFAULT now(),
    tallied_by      bigint REFERENCES users(id)
);

-- Councillors leaving during the term, and who takes each seat (the allocation's order).
CREATE TABLE council_changes (
    id              bigserial PRIMARY KEY,
    election_id     bigint NOT NULL REFERENCES elections(id),
    leaving_id      bigint NOT NULL REFERENCES candidates(id),
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    left_on         date NOT NULL,
    replacement_id  bigint REFERENCES candidates(id),   -- NULL: nobody keeps the rules, seat vacant
    recorded_by     bigint REFERENCES users(id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (election_id, leaving_id)
);
