-- One clock for the registry (docs/registry.md, Record): whether a registration has expired is
-- decided against a date the caller passes (the portal's clock.today(), in America/Santiago),
-- never against the database server's own current_date.

-- The status the public and the padrón see, on `day`: 'expired' when the certificado de vigencia
-- ended before that day; the previous public state while a renewal or category change is reviewed.
CREATE FUNCTION registry_effective_status(status text, review_kind text, vigencia_expires_on date, day date)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN status = 'approved' OR (status IN ('submitted', 'in_review', 'observed')
                                           AND review_kind <> 'registration')
              THEN CASE WHEN vigencia_expires_on < day THEN 'expired' ELSE 'approved' END
              ELSE status END
$$;

-- The public list's three states (withdrawn, expired, approved) of a listed organization on `day`.
CREATE FUNCTION registry_public_status(status text, vigencia_expires_on date, day date)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN status = 'withdrawn' THEN 'withdrawn'
              WHEN vigencia_expires_on < day THEN 'expired' ELSE 'approved' END
$$;

-- The view stays for readers outside the registry; it now states the same rule through the
-- function, judged on the session's date (connections run in America/Santiago). The registry's
-- own queries call the function with the portal's date instead.
DROP VIEW organizations_effective;
CREATE VIEW organizations_effective AS
SELECT o.*, registry_effective_status(o.status, o.review_kind, o.vigencia_expires_on, current_date) AS effective_status
FROM organizations o;
