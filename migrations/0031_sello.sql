-- Sello Migrante: municipalities (one per comuna) from adhesion to certification and revalidation.
-- The municipality list is the comunas table; only Sello state is kept here, keyed by comuna_code.

-- Municipal liaisons: an account tied to exactly one municipality.
CREATE TABLE sello_liaisons (
    user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    comuna_code text NOT NULL REFERENCES comunas(code),
    created_by  bigint REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sello_liaisons_comuna ON sello_liaisons (comuna_code);

-- The adhesion (carta compromiso) and the municipality's current workflow state.
-- 'expired' is not stored: it is derived from valid_until at read time.
CREATE TABLE sello_adhesions (
    comuna_code        text PRIMARY KEY REFERENCES comunas(code),   -- one adhesion per comuna
    status             text NOT NULL DEFAULT 'adhered'
                       CHECK (status IN ('adhered', 'implementing', 'evaluation_requested', 'in_evaluation', 'certified')),
    mayor_name         text NOT NULL CHECK (length(mayor_name) BETWEEN 1 AND 200),
    carta_date         date NOT NULL,
    council_agreement  text NOT NULL CHECK (length(council_agreement) BETWEEN 1 AND 100),
    carta_file_id      uuid NOT NULL REFERENCES stored_files(id),
    adhered_on         date NOT NULL DEFAULT current_date,
    work_plan_file_id  uuid REFERENCES stored_files(id),
    work_plan_on       date,
    first_certified_on date,
    certified_on       date,            -- resolution date of the current (latest) certification
    valid_until        date,
    certificate_code   text REFERENCES certificates(code),
    created_by         bigint REFERENCES users(id),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((certified_on IS NULL) = (valid_until IS NULL)),
    CHECK (status <> 'certified' OR certified_on IS NOT NULL),
    CHECK (status = 'adhered' OR work_plan_file_id IS NOT NULL)
);

-- Technical visits, recorded by staff.
CREATE TABLE sello_visits (
    id          bigserial PRIMARY KEY,
    comuna_code text NOT NULL REFERENCES sello_adhesions(comuna_code) ON DELETE CASCADE,
    visited_on  date NOT NULL,
    staff_names text NOT NULL CHECK (length(staff_names) BETWEEN 1 AND 300),
    notes       text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    recorded_by bigint REFERENCES users(id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sello_visits_comuna ON sello_visits (comuna_code, visited_on DESC);

-- "Casilla Sello Migrante": an anonymized case log (no personal data fields, by design).
CREATE TABLE sello_cases (
    id          bigserial PRIMARY KEY,
    comuna_code text NOT NULL REFERENCES sello_adhesions(comuna_code) ON DELETE CASCADE,
    topic       text NOT NULL CHECK (topic IN ('regularization', 'visas', 'work', 'health', 'education',
                                               'housing', 'social', 'discrimination', 'other')),
    opened_on   date NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_on   date,
    created_by  bigint REFERENCES users(id),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX sello_cases_comuna ON sello_cases (comuna_code, opened_on DESC);

-- An evaluation (first certification or revalidation) with its area reports and ratings.
CREATE TABLE sello_evaluations (
    id              bigserial PRIMARY KEY,
    comuna_code     text NOT NULL REFERENCES sello_adhesions(comuna_code) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('certification', 'revalidation')),
    status          text NOT NULL DEFAULT 'requested'
                    CHECK (status IN ('requested', 'in_evaluation', 'certified', 'not_certified')),
    requested_at    timestamptz NOT NULL DEFAULT now(),
    requested_by    bigint REFERENCES users(id),
    started_at      timestamptz,
    evaluator_id    bigint REFERENCES users(id),
    decided_at      timestamptz,
    resolution_date date,
    observations    text NOT NULL DEFAULT '',
    CHECK ((status IN ('certified', 'not_certified')) = (decided_at IS NOT NULL))
);
CREATE INDEX sello_evaluations_comuna ON sello_evaluations (comuna_code, requested_at DESC);
-- at most one open evaluation per municipality
CREATE UNIQUE INDEX sello_evaluations_open ON sello_evaluations (comuna_code)
    WHERE status IN ('requested', 'in_evaluation');

CREATE TABLE sello_evaluation_areas (
    evaluation_id bigint NOT NULL REFERENCES sello_evaluations(id) ON DELETE CASCADE,
    area          smallint NOT NULL CHECK (area BETWEEN 1 AND 5),
    report        text NOT NULL CHECK (length(report) BETWEEN 1 AND 10000),
    rating        text CHECK (rating IN ('meets', 'partially', 'does_not_meet')),
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 4000),
    PRIMARY KEY (evaluation_id, area)
);

CREATE TABLE sello_evidence (
    id            bigserial PRIMARY KEY,
    evaluation_id bigint NOT NULL REFERENCES sello_evaluations(id) ON DELETE CASCADE,
    area          smallint NOT NULL CHECK (area BETWEEN 1 AND 5),
    file_id       uuid NOT NULL REFERENCES stored_files(id)
);
CREATE INDEX sello_evidence_evaluation ON sello_evidence (evaluation_id, area);
