-- Registro de Organizaciones Sociales (domain.md §3).

CREATE TABLE organizations (
    id              bigserial PRIMARY KEY,
    rut             text NOT NULL UNIQUE CHECK (rut ~ '^[0-9]{1,8}-[0-9K]$'),
    legal_name      text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 300),
    short_name      text NOT NULL DEFAULT '' CHECK (length(short_name) <= 120),
    legal_form      text NOT NULL CHECK (legal_form IN ('asociacion', 'fundacion', 'corporacion',
                        'organizacion_funcional', 'universidad', 'centro_estudios', 'otra')),
    category        text NOT NULL CHECK (category IN ('A', 'B', 'C')),
    region_code     text NOT NULL REFERENCES regions(code),
    comuna_code     text NOT NULL REFERENCES comunas(code),
    address         text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    public_email    text NOT NULL DEFAULT '' CHECK (length(public_email) <= 254),
    phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    website         text NOT NULL DEFAULT '' CHECK (length(website) <= 300),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    areas           text[] NOT NULL DEFAULT '{}',
    founded_on      date,
    members         integer CHECK (members IS NULL OR members >= 0),
    migrant_share   integer CHECK (migrant_share IS NULL OR migrant_share BETWEEN 0 AND 100),
    legal_rep_name  text NOT NULL DEFAULT '' CHECK (length(legal_rep_name) <= 200),
    legal_rep_run   text NOT NULL DEFAULT '' CHECK (length(legal_rep_run) <= 40),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'in_review',
                        'observed', 'approved', 'rejected', 'withdrawn')),
    -- the certificado de vigencia: its issue date and the end of its validity
    vigencia_issued_on  date,
    vigencia_expires_on date,
    submitted_at    timestamptz,
    approved_at     timestamptz,
    withdrawn_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    search          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('spanish', portal_unaccent(legal_name || ' ' || short_name)), 'A') ||
        setweight(to_tsvector('spanish', portal_unaccent(description)), 'B')) STORED
);
CREATE INDEX organizations_search ON organizations USING gin (search);
CREATE INDEX organizations_status ON organizations (status, region_code, category);
CREATE INDEX organizations_comuna ON organizations (comuna_code);

-- 'expired' is derived from the certificate date at read time, so no job has to run.
CREATE VIEW organizations_effective AS
SELECT o.*,
       CASE WHEN o.status = 'approved' AND o.vigencia_expires_on < current_date THEN 'expired'
            ELSE o.status END AS effective_status
FROM organizations o;

-- A person represents at most one organization; one of its representatives is the legal one.
CREATE TABLE org_representatives (
    org_id   bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id  bigint NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    is_legal boolean NOT NULL DEFAULT false,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
