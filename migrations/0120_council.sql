-- The council in office (docs/council.md): sessions with their agenda, attendance, agreements,
-- the presidency, actas with comments, and vacancies proposed after unexcused absences.
-- The council is the one of a proclaimed election; its members are candidacies (candidates.id).
-- State columns list the same strings as portal/council/rules.py and the Machines in workflow.py.

CREATE TABLE council_sessions (
    id              bigserial PRIMARY KEY,
    election_id     bigint NOT NULL REFERENCES elections(id),
    kind            text NOT NULL CHECK (kind IN ('ordinary', 'extraordinary')),
    starts_at       timestamptz NOT NULL,
    minutes         integer NOT NULL DEFAULT 120 CHECK (minutes BETWEEN 15 AND 720),
    place           text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
    online_url      text NOT NULL DEFAULT '' CHECK (length(online_url) <= 500),
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'convened', 'in_progress', 'closed')),
    in_office       integer CHECK (in_office IS NULL OR in_office >= 0),  -- members in office when it opened
    convened_at     timestamptz,
    opened_at       timestamptz,
    closed_at       timestamptz,
    created_by      bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (place <> '' OR online_url <> ''),
    CHECK (status = 'draft' OR convened_at IS NOT NULL),
    CHECK (status NOT IN ('in_progress', 'closed') OR in_office IS NOT NULL)
);
CREATE INDEX council_sessions_election ON council_sessions (election_id, starts_at);

CREATE TABLE council_agenda_items (
    id          bigserial PRIMARY KEY,
    session_id  bigint NOT NULL REFERENCES council_sessions(id),
    position    integer NOT NULL CHECK (position > 0),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    file_id     uuid REFERENCES stored_files(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, position)
);

CREATE TABLE council_attendance (
    session_id  bigint NOT NULL REFERENCES council_sessions(id),
    member_id   bigint NOT NULL REFERENCES candidates(id),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'present', 'excused', 'absent')),
    recorded_at timestamptz,
    recorded_by bigint REFERENCES users(id),
    PRIMARY KEY (session_id, member_id)
);
CREATE INDEX council_attendance_member ON council_attendance (member_id);

CREATE TABLE council_agreements (
    id             bigserial PRIMARY KEY,
    session_id     bigint NOT NULL REFERENCES council_sessions(id),
    number         integer NOT NULL CHECK (number > 0),
    text           text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    votes_for      integer NOT NULL CHECK (votes_for >= 0),
    votes_against  integer NOT NULL CHECK (votes_against >= 0),
    votes_abstain  integer NOT NULL CHECK (votes_abstain >= 0),
    present        integer NOT NULL CHECK (present >= votes_for + votes_against + votes_abstain),
    adopted        boolean NOT NULL,
    recorded_by    bigint REFERENCES users(id),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, number),
    CHECK (adopted = (votes_for * 2 > present))  -- a majority of those present; a tie is not adopted
);

-- The presidency, elected once per council at its first session.
CREATE TABLE council_presidency (
    election_id        bigint PRIMARY KEY REFERENCES elections(id),
    session_id         bigint NOT NULL REFERENCES council_sessions(id),
    president_id       bigint NOT NULL REFERENCES candidates(id),
    president_votes    integer NOT NULL CHECK (president_votes >= 0),
    vice_president_id  bigint NOT NULL REFERENCES candidates(id),
    vice_votes         integer NOT NULL CHECK (vice_votes >= 0),
    present            integer NOT NULL CHECK (present >= greatest(president_votes, vice_votes)),
    recorded_by        bigint REFERENCES users(id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (president_id <> vice_president_id)
);

CREATE TABLE council_actas (
    id                   bigserial PRIMARY KEY,
    session_id           bigint NOT NULL UNIQUE REFERENCES council_sessions(id),
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'circulated', 'final')),
    body                 text NOT NULL CHECK (length(body) BETWEEN 1 AND 60000),
    comments_until       date,
    approved_in_session  bigint REFERENCES council_sessions(id),
    sha256               text CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
    file_id              uuid REFERENCES stored_files(id),
    finalized_at         timestamptz,
    updated_by           bigint REFERENCES users(id),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'circulated' OR comments_until IS NOT NULL),
    CHECK (status <> 'final' OR (sha256 IS NOT NULL AND file_id IS NOT NULL AND approved_in_session IS NOT NULL
                                 AND finalized_at IS NOT NULL))
);

-- A final acta never changes: neither the app role nor the owner can update or delete it while this
-- trigger is enabled (only the owner could disable it; the app role owns nothing).
CREATE FUNCTION council_acta_final_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'final' THEN
    RAISE EXCEPTION 'the acta % is final and cannot change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER council_actas_final BEFORE UPDATE OR DELETE ON council_actas
  FOR EACH ROW EXECUTE FUNCTION council_acta_final_guard();

CREATE TABLE council_acta_comments (
    id          bigserial PRIMARY KEY,
    acta_id     bigint NOT NULL REFERENCES council_actas(id),
    member_id   bigint NOT NULL REFERENCES candidates(id),
    author_id   bigint NOT NULL REFERENCES users(id),
    kind        text NOT NULL CHECK (kind IN ('comment', 'amendment')),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX council_acta_comments_acta ON council_acta_comments (acta_id, id);

-- Comments on a final acta are refused too, and comments never change once written.
CREATE FUNCTION council_acta_comment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' OR EXISTS (SELECT 1 FROM council_actas WHERE id = NEW.acta_id AND status = 'final') THEN
    RAISE EXCEPTION 'comments on an acta are written once, before it is final'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER council_acta_comments_guard BEFORE INSERT OR UPDATE OR DELETE ON council_acta_comments
  FOR EACH ROW EXECUTE FUNCTION council_acta_comment_guard();

-- The third consecutive unexcused absence proposes the vacancy to staff, who confirm or dismiss it.
CREATE TABLE council_vacancy_proposals (
    id           bigserial PRIMARY KEY,
    election_id  bigint NOT NULL REFERENCES elections(id),
    member_id    bigint NOT NULL REFERENCES candidates(id),
    session_id   bigint NOT NULL REFERENCES council_sessions(id),  -- the session of the third absence
    status       text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed', 'dismissed')),
    reason       text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 1000),
    replacement_id bigint REFERENCES candidates(id),
    decided_by   bigint REFERENCES users(id),
    decided_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (member_id, session_id),
    CHECK (status = 'proposed' OR (reason IS NOT NULL AND decided_at IS NOT NULL))
);
