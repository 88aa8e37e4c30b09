-- The public list's order index also carries the filter columns, so a page of ids (and the
-- capped count) is found by an index-only scan; the 50 rows are then fetched by id.
DROP INDEX organizations_public_order;
CREATE INDEX organizations_public_order ON organizations (region_rank, legal_name, id)
    INCLUDE (region_code, comuna_code, category, status, vigencia_expires_on, areas) WHERE listed;
