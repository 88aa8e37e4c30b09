-- Registry workflow (domain.md §3): reviews of renewals and category changes, documents, public history.

-- Regions north to south as an immutable function, so the public list's order can be stored and
-- indexed on the row itself (mirrors regions.sort_order; a test checks they agree).
CREATE FUNCTION portal_region_rank(code text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE code WHEN '15' THEN 1 WHEN '01' THEN 2 WHEN '02' THEN 3 WHEN '03' THEN 4 WHEN '04' THEN 5
                   WHEN '05' THEN 6 WHEN '13' THEN 7 WHEN '06' THEN 8 WHEN '07' THEN 9 WHEN '16' THEN 10
                   WHEN '08' THEN 11 WHEN '09' THEN 12 WHEN '14' THEN 13 WHEN '10' THEN 14 WHEN '11' THEN 15
                   WHEN '12' THEN 16 ELSE 99 END
$$;

-- Which review the workflow status refers to. A registered organization that asks for a renewal
-- or a category change goes back to submitted → in_review → observed → decision with
-- review_kind 'renewal' / 'category_change'; meanwhile it stays public as approved (or expired)
-- with its old category and old vigencia dates, which change only when staff approve. Rejecting
-- such a review puts the organization back to 'approved' as it was.
ALTER TABLE organizations
    ADD COLUMN review_kind text NOT NULL DEFAULT 'registration'
        CHECK (review_kind IN ('registration', 'renewal', 'category_change')),
    ADD COLUMN pending_category text CHECK (pending_category IS NULL OR pending_category IN ('A', 'B', 'C')),
    ADD COLUMN pending_migrant_share integer
        CHECK (pending_migrant_share IS NULL OR pending_migrant_share BETWEEN 0 AND 100),
    ADD COLUMN region_rank integer GENERATED ALWAYS AS (portal_region_rank(region_code)) STORED;

-- Shown in the public registry: approved (incl. expired), under re-review after approval, or
-- withdrawn after having been approved. Drafts, rejected and first-time applications never are.
ALTER TABLE organizations ADD COLUMN listed boolean GENERATED ALWAYS AS (
    status = 'approved'
    OR (status IN ('submitted', 'in_review', 'observed') AND review_kind <> 'registration')
    OR (status = 'withdrawn' AND approved_at IS NOT NULL)) STORED;

CREATE INDEX organizations_public_order ON organizations (region_rank, legal_name, id) WHERE listed;
CREATE INDEX organizations_public_areas ON organizations USING gin (areas) WHERE listed;
CREATE INDEX organizations_queue ON organizations (status, submitted_at);

-- effective_status is what the public (and the padrón) sees: 'expired' from the certificate date
-- at read time (no job), and the previous public state while a renewal/category change is reviewed.
DROP VIEW organizations_effective;
CREATE VIEW organizations_effective AS
SELECT o.*,
       CASE WHEN o.status = 'approved'
                 OR (o.status IN ('submitted', 'in_review', 'observed') AND o.review_kind <> 'registration')
            THEN CASE WHEN o.vigencia_expires_on < current_date THEN 'expired' ELSE 'approved' END
            ELSE o.status END AS effective_status
FROM organizations o;

-- Uploaded PDFs of an organization; the newest of each kind is current, older ones superseded.
CREATE TABLE org_documents (
    id            bigserial PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('vigencia', 'estatutos', 'directorio',
                                                'mayoria_migrante', 'reconocimiento_estado')),
    file_id       uuid NOT NULL REFERENCES stored_files(id),
    issued_on     date,              -- the certificado de vigencia's issue date
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    uploaded_by   bigint REFERENCES users(id),
    superseded_at timestamptz,
    CHECK (kind <> 'vigencia' OR issued_on IS NOT NULL)
);
CREATE UNIQUE INDEX org_documents_current ON org_documents (org_id, kind) WHERE superseded_at IS NULL;

-- Dated history of an organization; `public` events (approved, renewed, category changed,
-- withdrawn) appear on its public page, the rest (observations, reasons) only to it and staff.
CREATE TABLE org_events (
    id        bigserial PRIMARY KEY,
    org_id    bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    at        timestamptz NOT NULL DEFAULT now(),
    kind      text NOT NULL CHECK (kind IN ('created', 'submitted', 'taken', 'observed', 'approved',
                  'rejected', 'renewal_requested', 'renewed', 'renewal_rejected',
                  'category_change_requested', 'category_changed', 'category_change_rejected',
                  'withdrawn', 'representative_added', 'document_uploaded', 'edited')),
    public    boolean NOT NULL DEFAULT false,
    message   text NOT NULL DEFAULT '' CHECK (length(message) <= 4000),
    details   jsonb NOT NULL DEFAULT '{}',
    actor_id  bigint REFERENCES users(id)
);
CREATE INDEX org_events_org ON org_events (org_id, at);
