-- The job runner (portal/jobs): scheduled work kept in the database. A runner claims due rows with
-- FOR UPDATE SKIP LOCKED and runs each inside the claiming transaction, so a runner killed mid-job
-- leaves the job pending and its effects rolled back. Failures are retried with exponential back-off;
-- every outcome is recorded on the row.

CREATE TABLE jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    payload      jsonb NOT NULL DEFAULT '{}',
    -- periodic jobs and other "one at a time" work: at most one pending job per key
    dedupe_key   text CHECK (dedupe_key IS NULL OR length(dedupe_key) <= 200),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    run_at       timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    last_error   text,
    result       jsonb,
    finished_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status = 'pending';
CREATE UNIQUE INDEX jobs_pending_key ON jobs (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL;
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status <> 'pending';

-- The runner writes here on every tick; /health/ready reads how old the last beat is.
CREATE TABLE job_heartbeat (
    name     text PRIMARY KEY CHECK (name = 'runner'),
    beat_at  timestamptz NOT NULL,
    holder   text NOT NULL CHECK (length(holder) <= 200)
);

-- Per-message headers (List-Unsubscribe for reminders); sent as they are by portal/mail.py.
ALTER TABLE outbox ADD COLUMN headers jsonb NOT NULL DEFAULT '{}';
