-- ClaveÚnica sign-in (docs/claveunica.md): people keyed by RUN, and every sign-in attempt.

-- A person's RUN as ClaveÚnica vouched for it. One RUN per account (user_id is the key) and one
-- account per RUN (run is unique): a RUN is linked once, and never to two accounts.
CREATE TABLE claveunica_identities (
    user_id         bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    run             text NOT NULL UNIQUE CHECK (run ~ '^[1-9][0-9]{0,7}-[0-9K]$'),
    sub             text NOT NULL DEFAULT '' CHECK (length(sub) <= 200),
    linked_at       timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz NOT NULL DEFAULT now()
);

-- Every attempt: when, how it ended, and the account when there was one. Never a code or a token.
CREATE TABLE claveunica_attempts (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    result  text NOT NULL CHECK (result IN (
                'signed_in', 'created', 'linked',
                'bad_state', 'expired_state', 'denied', 'no_code',
                'token_error', 'token_timeout', 'userinfo_error', 'userinfo_timeout', 'malformed_userinfo',
                'bad_check_digit', 'run_taken', 'already_linked', 'staff', 'inactive', 'bad_password')),
    user_id bigint REFERENCES users(id) ON DELETE SET NULL,
    ip      text NOT NULL DEFAULT '' CHECK (length(ip) <= 64)
);
CREATE INDEX claveunica_attempts_at ON claveunica_attempts (at);
CREATE INDEX claveunica_attempts_user ON claveunica_attempts (user_id, at) WHERE user_id IS NOT NULL;

-- Staff checked a representative's RUN against the organization's directorio certificate
-- (docs/claveunica.md, Representatives). The RUN is kept as it was checked.
CREATE TABLE representative_run_checks (
    org_id     bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    run        text NOT NULL CHECK (run ~ '^[1-9][0-9]{0,7}-[0-9K]$'),
    checked_by bigint REFERENCES users(id),
    checked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);

-- Who acted for an organization in an election (voted, nominated): the organization's own
-- history. Only the day is kept, never the time, and nothing about the ballot.
CREATE TABLE organization_acts (
    org_id      bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    election_id bigint NOT NULL REFERENCES elections(id) ON DELETE CASCADE,
    action      text NOT NULL CHECK (action IN ('voted', 'nominated')),
    user_id     bigint REFERENCES users(id) ON DELETE SET NULL,
    acted_on    date NOT NULL,
    PRIMARY KEY (org_id, election_id, action)
);
