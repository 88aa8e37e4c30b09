-- Each council's rules (docs/council.md, The council's rules): the quorum share, the number of
-- consecutive unexcused absences that proposes a vacancy, and the default days to comment a
-- circulated acta. A council (its election) without a row follows the defaults, the same as
-- portal/council/rules.py DEFAULT_RULES; the ranges are rules.QUORUM_PERCENT, ABSENCE_LIMIT, COMMENT_DAYS.
-- The app role gets its rows through portal/migrate.py grant_app_role, like every table.

CREATE TABLE council_settings (
    election_id     bigint PRIMARY KEY REFERENCES elections(id),
    -- the quorum is MORE THAN this share of the members in office: 50 = an absolute majority (11 of 20)
    quorum_percent  integer NOT NULL DEFAULT 50 CHECK (quorum_percent BETWEEN 1 AND 99),
    absence_limit   integer NOT NULL DEFAULT 3 CHECK (absence_limit BETWEEN 1 AND 12),
    comment_days    integer NOT NULL DEFAULT 10 CHECK (comment_days BETWEEN 1 AND 60),
    updated_by      bigint REFERENCES users(id),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The quorum share a session opened under, kept with its number in office: a later change of the
-- rule does not rewrite the quorum of sessions already held. Sessions opened before this migration
-- were under the default.
ALTER TABLE council_sessions
  ADD COLUMN quorum_percent integer CHECK (quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 99);
UPDATE council_sessions SET quorum_percent = 50 WHERE in_office IS NOT NULL;

-- The run of unexcused absences that made a proposal (the limit may change later); unknown (NULL)
-- for proposals made before this migration.
ALTER TABLE council_vacancy_proposals
  ADD COLUMN absences integer CHECK (absences IS NULL OR absences >= 1);
