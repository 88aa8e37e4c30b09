-- Reminders (portal/reminders, docs/reminders.md): one row per reminder planned for a person, a
-- subject and a deadline. The unique key makes "at most once per recipient, subject and deadline"
-- a fact of the database; a moved deadline is a new key (the old row is skipped, the new one planned).

CREATE TABLE reminders (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (length(kind) BETWEEN 1 AND 60),
    step          text NOT NULL DEFAULT '' CHECK (length(step) <= 20),   -- '30d', '7d', '0d' for staged kinds
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subject_type  text NOT NULL CHECK (length(subject_type) BETWEEN 1 AND 40),
    subject_id    text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 60),
    deadline      timestamptz NOT NULL,
    send_at       timestamptz NOT NULL,
    until         timestamptz NOT NULL,   -- not sent by then: skipped (too late to matter)
    status        text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'skipped')),
    skip_reason   text CHECK (skip_reason IS NULL OR skip_reason IN
                      ('no_longer_applies', 'deadline_moved', 'unsubscribed', 'too_late', 'no_email')),
    language      text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
    label         text NOT NULL DEFAULT '' CHECK (length(label) <= 300),   -- the subject's name, for staff
    created_at    timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz,
    CONSTRAINT reminders_once UNIQUE (kind, step, user_id, subject_type, subject_id, deadline),
    CHECK ((status = 'skipped') = (skip_reason IS NOT NULL)),
    CHECK ((status = 'scheduled') = (decided_at IS NULL))
);
CREATE INDEX reminders_due ON reminders (send_at) WHERE status = 'scheduled';
CREATE INDEX reminders_kind ON reminders (kind, status);

-- Which topics of reminders a person does not want (no row: every topic), and the language they want
-- them in (NULL: the account's language, users.locale).
CREATE TABLE reminder_optouts (
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic      text NOT NULL CHECK (length(topic) BETWEEN 1 AND 60),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, topic)
);

CREATE TABLE reminder_settings (
    user_id  bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    language text CHECK (language IS NULL OR language IN ('es', 'en'))
);
