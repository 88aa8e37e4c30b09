-- Compromiso Migrante (domain.md §6): adhered companies, institutions and guilds, their contacts,
-- yearly cycles (report → application → evaluation → recognition), evidence and scores.

CREATE TABLE compromiso_companies (
    id              bigserial PRIMARY KEY,
    rut             text NOT NULL CHECK (rut ~ '^[0-9]{1,8}-[0-9K]$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind            text NOT NULL CHECK (kind IN ('empresa', 'institucion', 'gremio')),
    size            text NOT NULL CHECK (size IN ('micro', 'pequena', 'mediana', 'grande')),
    sector          text NOT NULL CHECK (sector IN ('agricultura', 'mineria', 'manufactura', 'energia',
                        'construccion', 'comercio', 'transporte', 'alojamiento', 'informacion',
                        'financiero', 'profesional', 'administrativo', 'publico', 'educacion', 'salud',
                        'arte', 'otros')),
    region_code     text NOT NULL REFERENCES regions(code),
    comuna_code     text NOT NULL REFERENCES comunas(code),
    -- staff totals: national / foreign workers by gender
    national_women  integer NOT NULL DEFAULT 0 CHECK (national_women >= 0),
    national_men    integer NOT NULL DEFAULT 0 CHECK (national_men >= 0),
    national_other  integer NOT NULL DEFAULT 0 CHECK (national_other >= 0),
    foreign_women   integer NOT NULL DEFAULT 0 CHECK (foreign_women >= 0),
    foreign_men     integer NOT NULL DEFAULT 0 CHECK (foreign_men >= 0),
    foreign_other   integer NOT NULL DEFAULT 0 CHECK (foreign_other >= 0),
    contact_name    text NOT NULL DEFAULT '' CHECK (length(contact_name) <= 200),
    contact_email   text NOT NULL DEFAULT '' CHECK (length(contact_email) <= 254),
    contact_phone   text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
    -- the signed Carta de Compromiso; NULL while a company created by staff awaits its contact
    carta_file_id   uuid REFERENCES stored_files(id),
    adhered_on      date,
    created_by      bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT compromiso_companies_rut_key UNIQUE (rut),
    CONSTRAINT compromiso_companies_adhesion CHECK ((adhered_on IS NULL) = (carta_file_id IS NULL))
);
CREATE INDEX compromiso_companies_region ON compromiso_companies (region_code);

-- A person is the contact of at most one company.
CREATE TABLE compromiso_contacts (
    user_id    bigint NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    company_id bigint NOT NULL REFERENCES compromiso_companies(id) ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, user_id)
);

CREATE TABLE compromiso_cycles (
    id              bigserial PRIMARY KEY,
    company_id      bigint NOT NULL REFERENCES compromiso_companies(id) ON DELETE CASCADE,
    year            integer NOT NULL CHECK (year BETWEEN 2015 AND 2100),
    status          text NOT NULL DEFAULT 'adhered' CHECK (status IN ('adhered', 'report_submitted',
                        'applied', 'in_evaluation', 'recognized', 'not_recognized')),
    report_submitted_at timestamptz,
    applied_at      timestamptz,
    evaluation_started_at timestamptz,
    decided_at      timestamptz,
    evaluator_id    bigint REFERENCES users(id),
    total_score     integer CHECK (total_score BETWEEN 0 AND 15),
    certificate_code text REFERENCES certificates(code),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, year)
);
CREATE INDEX compromiso_cycles_status ON compromiso_cycles (status, year);

-- The annual report: actions and indicators for each of the five commitments.
CREATE TABLE compromiso_report_items (
    cycle_id    bigint NOT NULL REFERENCES compromiso_cycles(id) ON DELETE CASCADE,
    commitment  smallint NOT NULL CHECK (commitment BETWEEN 1 AND 5),
    actions     text NOT NULL DEFAULT '' CHECK (length(actions) <= 4000),
    indicators  text NOT NULL DEFAULT '' CHECK (length(indicators) <= 2000),
    PRIMARY KEY (cycle_id, commitment)
);

CREATE TABLE compromiso_evidence (
    id          bigserial PRIMARY KEY,
    cycle_id    bigint NOT NULL REFERENCES compromiso_cycles(id) ON DELETE CASCADE,
    commitment  smallint NOT NULL CHECK (commitment BETWEEN 1 AND 5),
    file_id     uuid NOT NULL UNIQUE REFERENCES stored_files(id),
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX compromiso_evidence_cycle ON compromiso_evidence (cycle_id, commitment);

-- The evaluator's scores: 0–3 per commitment, with comments.
CREATE TABLE compromiso_scores (
    cycle_id    bigint NOT NULL REFERENCES compromiso_cycles(id) ON DELETE CASCADE,
    commitment  smallint NOT NULL CHECK (commitment BETWEEN 1 AND 5),
    score       smallint NOT NULL CHECK (score BETWEEN 0 AND 3),
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    PRIMARY KEY (cycle_id, commitment)
);
