-- The public registry's text search, cheaper (portal/registry/search_queries.py; bench/README.md).
--
-- 1. The full-text index covers listed organizations only: every query that uses it asks for them, and
--    with the condition in the index the capped count needs nothing from the table (an index that
--    answers the whole WHERE lets PostgreSQL count matches on all-visible pages without reading them).
DROP INDEX organizations_search;
CREATE INDEX organizations_search ON organizations USING gin (search) WHERE listed;

-- 2. The planner's estimate of the share of organizations whose `search` matches `query`, from the
--    column's statistics (its most common lexemes and their frequencies): nothing is scanned. The list
--    uses it to choose how to find a page of matches before it knows how many there are, so the page and
--    the count can run at the same time. VOLATILE because EXPLAIN is not allowed in a STABLE function.
CREATE FUNCTION portal_search_share(query tsquery) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) SELECT FROM organizations WHERE search @@ $1' INTO plan USING query;
    RETURN least((plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8
                 / greatest((SELECT reltuples FROM pg_class WHERE oid = 'organizations'::regclass), 1), 1);
END $$;
